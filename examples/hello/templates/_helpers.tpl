{{- define "hello.fullname" -}}
{{ .Release.Name }}-{{ .Values.nameOverride | or "model-server" }}
{{- end }}

{{- define "hello.labels" -}}
app.kubernetes.io/name: {{ template "hello.fullname" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- range $key, $value := .Values.extraLabels }}
{{ $key }}: {{ printf "%q" $value }}
{{- end }}
{{- end }}
