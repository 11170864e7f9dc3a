//! `helmpilot-app`: the webhook server (in progress).

fn main() {
    eprintln!("helmpilot-app: the server is being built; see README (approval App)");
    std::process::exit(2);
}
