//! (in progress)
/// (placeholder until `dependency list` lands)
pub fn list_text(_chart: &std::path::Path, _max_col_width: usize) -> Result<String, String> {
    Err("not available yet".into())
}
