"""Schemathesis hooks of the contract test (`tests/tests/e2e/contract.rs`).

The OpenAPI document names two string formats of its own, and the fuzzer needs to know how to
draw valid values of them:

- `e164`: a phone number in strict E.164 (`+14165550123`);
- `phone`: a phone number as a person writes it: E.164, or national in the tenant's region
  (the contract test's tenant is in the US), e.g. `(416) 555-0123`.

Validity is libphonenumber's, so values are drawn from numbers it accepts: North American area
codes with the 555-01XX lines kept for fiction, and a few numbers of other countries.
"""

import schemathesis
from hypothesis import strategies as st

AREA_CODES = ["416", "647", "514", "212", "310", "617"]
ABROAD = ["+442071234567", "+447911123456", "+4930123456", "+61291234567", "+819012345678"]

lines = st.integers(min_value=100, max_value=199).map(lambda n: f"{n:04d}")
nanp = st.tuples(st.sampled_from(AREA_CODES), lines)

e164 = st.one_of(
    nanp.map(lambda p: f"+1{p[0]}555{p[1]}"),
    st.sampled_from(ABROAD),
)

national = st.one_of(
    nanp.map(lambda p: f"({p[0]}) 555-{p[1]}"),
    nanp.map(lambda p: f"{p[0]}.555.{p[1]}"),
    nanp.map(lambda p: f"{p[0]}555{p[1]}"),
    nanp.map(lambda p: f"1 {p[0]} 555 {p[1]}"),
    nanp.map(lambda p: f"+1 {p[0]} 555 {p[1]}"),
)

schemathesis.openapi.format("e164", e164)
schemathesis.openapi.format("phone", st.one_of(e164, national))
