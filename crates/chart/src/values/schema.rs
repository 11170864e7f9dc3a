//! placeholder until schema validation lands.

/// Validates values against the chart's schemas.
pub fn validate_against_schema(
    chart: &crate::chart::Chart,
    values: &serde_json::Map<String, serde_json::Value>,
) -> Result<(), String> {
    let _ = (chart, values);
    Ok(())
}
