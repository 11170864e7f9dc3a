{{- define "hello.fullname" -}}
{{ .Release.Name }}-{{ or .Values.nameOverride "model-server" }}
{{- end }}

{{- /* Labels, one per line, indented for metadata.labels. */ -}}
{{- define "hello.labels" }}
    app.kubernetes.io/name: {{ template "hello.fullname" . }}
    app.kubernetes.io/instance: {{ .Release.Name }}
    {{- range $key, $value := .Values.extraLabels }}
    {{ $key }}: {{ printf "%q" $value }}
    {{- end }}
{{- end }}
