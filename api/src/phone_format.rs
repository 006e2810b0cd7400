//! How a phone number reads to the tenant's people: in their national format when it is a
//! number of their own country, in E.164 otherwise. Pure and small, shared with the SPA (the
//! full `phonenumber` metadata would not fit the SPA's size budget); the API keeps E.164.

/// Regions of the North American Numbering Plan whose tenants read `(416) 555-0144`.
const NANP_REGIONS: &[&str] = &["US", "CA", "PR", "VI", "GU", "AS", "MP"];

/// `+14165550144` → `(416) 555-0144` for a North American tenant; any other number, or any
/// number for another tenant, as it is.
pub fn for_tenant(e164: &str, tenant_region: &str) -> String {
    let national = NANP_REGIONS
        .iter()
        .any(|region| region.eq_ignore_ascii_case(tenant_region.trim()));
    match e164.strip_prefix("+1") {
        Some(digits)
            if national && digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit()) =>
        {
            format!("({}) {}-{}", &digits[..3], &digits[3..6], &digits[6..])
        }
        _ => e164.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn north_american_numbers_read_nationally_at_home() {
        assert_eq!(for_tenant("+14165550144", "CA"), "(416) 555-0144");
        assert_eq!(for_tenant("+12125550100", "us"), "(212) 555-0100");
        // Abroad, or not North American, or not a full number: as it is.
        assert_eq!(for_tenant("+14165550144", "GB"), "+14165550144");
        assert_eq!(for_tenant("+447700900123", "US"), "+447700900123");
        assert_eq!(for_tenant("+1416555", "US"), "+1416555");
    }
}
