//! (in progress: placeholder until the Chart.lock module lands)
use helmpilot_chart::chart::{Dependency, Lock};
pub fn hash_req(_req: &[Dependency], _locked: &[Dependency]) -> String {
    String::new()
}
pub fn lock_file_text(_lock: &Lock) -> String {
    String::new()
}
pub fn hash_v2_req(_req: &[Dependency]) -> String {
    String::new()
}
pub fn generated_now() -> String {
    String::new()
}
