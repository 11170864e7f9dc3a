//! A static file server on 127.0.0.1 for the dependency tests: it serves a chart
//! repository folder (index.yaml and archives made by real Helm) as any web server would,
//! with optional HTTP basic auth and per-path replacements to stage failures (a tampered
//! archive, a broken index). Plain HTTP/1.1 with `Connection: close`; it stops when dropped.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

#[derive(Default)]
struct Behaviour {
    /// Expected `Authorization` header value; requests without it get 401.
    authorization: Option<String>,
    overrides: HashMap<String, Vec<u8>>,
    /// Every request line and whether it carried an Authorization header.
    log: Vec<(String, bool)>,
}

pub struct StaticServer {
    pub port: u16,
    behaviour: Arc<Mutex<Behaviour>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl StaticServer {
    /// Serves `root` at `http://127.0.0.1:<port>/`.
    pub fn start(root: &Path) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local address").port();
        let behaviour = Arc::new(Mutex::new(Behaviour::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let root = root.to_path_buf();
        let (b, s) = (behaviour.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let _ = serve(stream, &root, &b);
                }
            }
        });
        StaticServer {
            port,
            behaviour,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!(
            "http://127.0.0.1:{}/{}",
            self.port,
            path.trim_start_matches('/')
        )
    }

    pub fn require_basic_auth(&self, username: &str, password: &str) {
        use base64::Engine;
        let token =
            base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
        self.behaviour.lock().unwrap().authorization = Some(format!("Basic {token}"));
    }

    pub fn replace(&self, path: &str, body: &[u8]) {
        self.behaviour
            .lock()
            .unwrap()
            .overrides
            .insert(path.to_string(), body.to_vec());
    }

    /// Request paths served so far, with whether each carried credentials.
    pub fn log(&self) -> Vec<(String, bool)> {
        self.behaviour.lock().unwrap().log.clone()
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(stream: TcpStream, root: &Path, behaviour: &Mutex<Behaviour>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut authorization = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("authorization") {
                authorization = Some(value.trim().to_string());
            }
        }
    }
    let path = request_line.split(' ').nth(1).unwrap_or("/").to_string();
    let path = percent_decode(path.split('?').next().unwrap_or("/"));
    let (status, body) = {
        let mut b = behaviour.lock().unwrap();
        b.log.push((path.clone(), authorization.is_some()));
        if b.authorization.is_some() && b.authorization != authorization {
            ("401 Unauthorized", b"unauthorized\n".to_vec())
        } else if let Some(body) = b.overrides.get(&path) {
            ("200 OK", body.clone())
        } else {
            match safe_join(root, &path).and_then(|p| std::fs::read(p).ok()) {
                Some(body) => ("200 OK", body),
                None => ("404 Not Found", b"not found\n".to_vec()),
            }
        }
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    )?;
    if status.starts_with("401") {
        write!(stream, "WWW-Authenticate: Basic realm=\"charts\"\r\n")?;
    }
    write!(stream, "\r\n")?;
    stream.write_all(&body)?;
    stream.flush()
}

fn safe_join(root: &Path, path: &str) -> Option<PathBuf> {
    let relative = path.trim_start_matches('/');
    if relative.split('/').any(|part| part == "..") {
        return None;
    }
    Some(root.join(relative))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(v) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
