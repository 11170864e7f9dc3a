//! Times `parse_manifests` + `compare` on two generated renders of 5,000 objects each.
//!
//! `cargo run --release -p helmpilot-diff --example bench_diff [objects] [runs]`
//!
//! Mixed kinds at realistic sizes (Deployments with probes and env, ConfigMaps of a few
//! KB, Secrets, Services, Ingresses, HPAs, PVCs, ServiceAccounts); head changes ~10% of
//! the objects (image bumps, replicas, config lines, secret rotations) and removes, adds
//! and renames some. Prints the median of several runs and the peak RSS.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use helmpilot_diff::compare::{compare, CompareOptions, IgnoreRule};
use helmpilot_diff::objects::parse_manifests;

/// Deterministic pseudo-random numbers, so every run measures the same input.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// What head does to one object.
#[derive(Clone, Copy, PartialEq)]
enum Fate {
    Same,
    Changed,
    Removed,
    Renamed,
}

fn labels(out: &mut String, indent: &str, app: &str, chart: &str) {
    let _ = write!(
        out,
        "{indent}labels:\n{indent}  helm.sh/chart: {chart}\n{indent}  app.kubernetes.io/name: {app}\n{indent}  app.kubernetes.io/instance: bench\n{indent}  app.kubernetes.io/managed-by: Helm\n"
    );
}

fn object(out: &mut String, i: usize, name: &str, changed: bool, chart: &str) {
    let app = format!("app-{}", i / 8);
    let _ = match i % 8 {
        0 | 1 => {
            let _ = write!(out, "# Source: bench/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n");
            labels(out, "  ", &app, chart);
            let tag = if changed { "1.4.1" } else { "1.4.0" };
            let replicas = if changed && i % 3 == 0 { 4 } else { 2 };
            write!(out, "spec:\n  replicas: {replicas}\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {app}\n  template:\n    metadata:\n      annotations:\n        checksum/config: {:016x}\n      labels:\n        app.kubernetes.io/name: {app}\n    spec:\n      serviceAccountName: {app}\n      containers:\n        - name: {app}\n          image: \"registry.example.com/team/{app}:{tag}\"\n          imagePullPolicy: IfNotPresent\n          ports:\n            - name: http\n              containerPort: 8080\n              protocol: TCP\n          env:\n            - name: LOG_LEVEL\n              value: info\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: {app}-db\n                  key: password\n            - name: FEATURE_FLAGS\n              value: \"a,b,c,d\"\n          livenessProbe:\n            httpGet:\n              path: /healthz\n              port: http\n          readinessProbe:\n            httpGet:\n              path: /ready\n              port: http\n          resources:\n            limits:\n              cpu: 500m\n              memory: 512Mi\n            requests:\n              cpu: 100m\n              memory: 128Mi\n      nodeSelector:\n        kubernetes.io/os: linux\n", i * 7919)
        }
        2 => {
            let _ = write!(out, "# Source: bench/templates/configmap.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n");
            labels(out, "  ", &app, chart);
            out.push_str("data:\n  app.properties: |\n");
            for line in 0..60 {
                let value = if changed && line == 30 {
                    "updated"
                } else {
                    "value"
                };
                let _ = writeln!(
                    out,
                    "    section{}.key{line} = {value}-{line}-{}",
                    line / 10,
                    i % 97
                );
            }
            writeln!(out, "  mode: production")
        }
        3 => {
            let _ = write!(out, "# Source: bench/templates/secret.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n");
            labels(out, "  ", &app, chart);
            let password = if changed {
                "cm90YXRlZA=="
            } else {
                "aHVudGVyMg=="
            };
            write!(out, "type: Opaque\ndata:\n  password: {password}\n  username: YWRtaW4=\n  tls.crt: {}\n", "TUlJQm".repeat(120))
        }
        4 => {
            let _ = write!(out, "# Source: bench/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n");
            labels(out, "  ", &app, chart);
            let port = if changed { 8443 } else { 80 };
            write!(out, "spec:\n  type: ClusterIP\n  ports:\n    - port: {port}\n      targetPort: http\n      protocol: TCP\n      name: http\n  selector:\n    app.kubernetes.io/name: {app}\n")
        }
        5 => {
            let _ = write!(out, "# Source: bench/templates/ingress.yaml\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\n");
            labels(out, "  ", &app, chart);
            let host = if changed { "new" } else { "www" };
            write!(out, "  annotations:\n    cert-manager.io/cluster-issuer: letsencrypt\nspec:\n  ingressClassName: nginx\n  tls:\n    - hosts:\n        - \"{host}.{app}.example.com\"\n      secretName: {app}-tls\n  rules:\n    - host: \"{host}.{app}.example.com\"\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: {app}\n                port:\n                  number: 80\n")
        }
        6 => {
            let _ = write!(out, "# Source: bench/templates/hpa.yaml\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {name}\n");
            labels(out, "  ", &app, chart);
            let min = if changed { 1 } else { 2 };
            write!(out, "spec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: {app}\n  minReplicas: {min}\n  maxReplicas: 10\n  metrics:\n    - type: Resource\n      resource:\n        name: cpu\n        target:\n          type: Utilization\n          averageUtilization: 80\n")
        }
        _ => {
            let _ = write!(out, "# Source: bench/templates/pvc.yaml\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {name}\n");
            labels(out, "  ", &app, chart);
            let size = if changed { "20Gi" } else { "10Gi" };
            write!(out, "spec:\n  accessModes:\n    - ReadWriteOnce\n  storageClassName: standard\n  resources:\n    requests:\n      storage: {size}\n")
        }
    };
}

/// Two renders of `count` objects each.
fn renders(count: usize) -> (String, String) {
    let mut rng = Lcg(7);
    let (mut base, mut head) = (String::new(), String::new());
    let mut removed = 0;
    for i in 0..count {
        let fate = match rng.below(100) {
            0..=9 => Fate::Changed,
            10..=11 => Fate::Removed,
            12 => Fate::Renamed,
            _ => Fate::Same,
        };
        let name = format!("obj-{i}");
        base.push_str("---\n");
        object(&mut base, i, &name, false, "bench-1.0.0");
        match fate {
            Fate::Removed => {
                removed += 1;
                continue;
            }
            Fate::Renamed => {
                head.push_str("---\n");
                object(&mut head, i, &format!("{name}-v2"), false, "bench-1.0.1");
            }
            Fate::Same | Fate::Changed => {
                head.push_str("---\n");
                object(&mut head, i, &name, fate == Fate::Changed, "bench-1.0.1");
            }
        }
    }
    // As many new objects as were removed, so both renders hold `count`.
    for i in count..count + removed {
        head.push_str("---\n");
        object(&mut head, i, &format!("obj-{i}"), false, "bench-1.0.1");
    }
    (base, head)
}

/// Peak resident set size in KiB (`VmHWM`), where /proc is available.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5000);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(7).max(1);
    let (base, head) = renders(count);
    let options = CompareOptions {
        ignore: IgnoreRule::helm_noise(),
        ..CompareOptions::default()
    };

    let (mut parse_times, mut compare_times, mut totals) = (Vec::new(), Vec::new(), Vec::new());
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let (b, h) = match (
            parse_manifests(&base, "bench"),
            parse_manifests(&head, "bench"),
        ) {
            (Ok(b), Ok(h)) => (b, h),
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("bench_diff: generated render does not parse: {e}");
                std::process::exit(1);
            }
        };
        let parsed = start.elapsed();
        let diff = compare(&b.objects, &h.objects, &options);
        let total = start.elapsed();
        parse_times.push(parsed);
        compare_times.push(total - parsed);
        totals.push(total);
        last = Some((b.objects.len(), h.objects.len(), diff));
    }
    let Some((base_objects, head_objects, diff)) = last else {
        return;
    };
    println!("objects:   base {base_objects}, head {head_objects}");
    println!("bytes:     base {}, head {}", base.len(), head.len());
    println!(
        "result:    {} changed, {} added, {} removed, {} unchanged, {} ignored changes, {} risks, {} images",
        diff.changed(),
        diff.added(),
        diff.removed(),
        diff.unchanged,
        diff.ignored_changes,
        diff.risks.len(),
        diff.images.len()
    );
    println!("runs:      {runs} (median)");
    println!(
        "parse:     {:.1} ms (both renders)",
        median(parse_times).as_secs_f64() * 1e3
    );
    println!(
        "compare:   {:.1} ms",
        median(compare_times).as_secs_f64() * 1e3
    );
    println!("total:     {:.1} ms", median(totals).as_secs_f64() * 1e3);
    match peak_rss_kib() {
        Some(kib) => println!("peak RSS:  {:.1} MiB", kib as f64 / 1024.0),
        None => println!("peak RSS:  unavailable"),
    }
}
