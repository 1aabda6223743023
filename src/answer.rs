//! A 200 answer read straight from its text, for the per-call path (the client's; public for
//! the fuzz target that compares it with [`api`]'s reading): the envelope is checked
//! and the typed `Response` read without building a `serde_json::Value` tree (its maps and
//! strings were most of a small call's parsing cost).
//!
//! Same outcome as [`api::parse_envelope_value`] then [`api::typed_response`], by
//! construction: the direct reading takes only an answer of the usual shape (objects where
//! objects belong, keys unescaped, one `Response` with one string `RequestId` and no `Error`,
//! every string and number as a `Value` reads it, `T`'s fields once each and as `T` wants
//! them); anything else, a service error included, is read again by those two functions,
//! which give the result or the error exactly as before.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::Deserializer;

use crate::api;
use crate::error::Result;

/// Check a 200 answer's envelope: `Ok` when [`api::parse_envelope_value`] accepts it, else
/// the error that function gives (the service's error, or a protocol error).
pub fn check_envelope(body: &str) -> Result<()> {
    if read(body, CheckResponse) == Some(true) {
        return Ok(());
    }
    api::parse_envelope_value(body.as_bytes()).map(drop)
}

/// The typed `Response` of an answer [`check_envelope`] accepted (every string and number in
/// it then parses as a `Value`'s would, so `T` skipping its unknown fields unchecked changes
/// nothing): what [`api::typed_response`] gives for it.
pub fn typed<T: DeserializeOwned>(body: &str) -> Result<T> {
    if let Some(value) = read(body, ReadResponse(PhantomData)) {
        return Ok(value);
    }
    api::typed_response(&api::parse_envelope_value(body.as_bytes())?)
}

/// `seed` applied to the `Response` of the envelope `{"Response": ..., ...}`; `None` when
/// the body is not of the usual shape (see the module docs).
fn read<'de, S: DeserializeSeed<'de> + Copy>(body: &'de str, seed: S) -> Option<S::Value> {
    let mut reader = serde_json::Deserializer::from_str(body);
    let value = reader.deserialize_map(Envelope(seed)).ok()?;
    reader.end().ok()?;
    value
}

/// The outer object, read as a map (serde would also read a struct from an array): `seed`
/// on its one `Response`, other keys skipped.
struct Envelope<S>(S);

impl<'de, S: DeserializeSeed<'de> + Copy> Visitor<'de> for Envelope<S> {
    type Value = Option<S::Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the response envelope")
    }

    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut response = None;
        while let Some(key) = map.next_key::<&str>()? {
            if key != "Response" {
                map.next_value::<Skip>()?;
            } else if response.is_some() {
                return Ok(None);
            } else {
                response = Some(map.next_value_seed(self.0)?);
            }
        }
        Ok(response)
    }
}

/// Checks a `Response` object: no `Error`, one string `RequestId`, other values skipped (each
/// parsed as a `Value` would be).
#[derive(Clone, Copy)]
struct CheckResponse;

impl<'de> DeserializeSeed<'de> for CheckResponse {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<bool, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for CheckResponse {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the Response object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<bool, A::Error> {
        let mut request_id = false;
        while let Some(key) = map.next_key::<&str>()? {
            match key {
                "Error" => return Ok(false),
                "RequestId" if request_id => return Ok(false),
                "RequestId" => {
                    // A string: any other type fails the reading.
                    map.next_value::<&str>()?;
                    request_id = true;
                }
                _ => {
                    map.next_value::<Skip>()?;
                }
            }
        }
        Ok(request_id)
    }
}

/// A value read and dropped, every string and number in it parsed as a `Value` would parse it
/// (serde's `IgnoredAny` skips strings unchecked: a lone surrogate escape that the `Value`
/// reading refuses would pass), without building anything.
struct Skip;

impl<'de> serde::Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Skip, D::Error> {
        d.deserialize_any(Skip)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> std::result::Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_i64<E>(self, _: i64) -> std::result::Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_u64<E>(self, _: u64) -> std::result::Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_f64<E>(self, _: f64) -> std::result::Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_str<E>(self, _: &str) -> std::result::Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_unit<E>(self) -> std::result::Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Skip, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Skip)
    }
}

/// Reads a `Response` object as `T`.
struct ReadResponse<T>(PhantomData<T>);

impl<T> Clone for ReadResponse<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for ReadResponse<T> {}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for ReadResponse<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<T, D::Error> {
        T::deserialize(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ApplyCardVerificationResponse, CardVerificationResult};
    use proptest::prelude::*;

    /// What the `Value` path gives: the envelope check, then `T`.
    fn by_value<T: DeserializeOwned>(body: &str) -> Result<T> {
        api::typed_response(&api::parse_envelope_value(body.as_bytes())?)
    }

    fn direct<T: DeserializeOwned>(body: &str) -> Result<T> {
        check_envelope(body)?;
        typed(body)
    }

    /// Both paths agree on `body`, for both answers' types.
    fn assert_same(body: &str) {
        assert_eq!(
            direct::<ApplyCardVerificationResponse>(body),
            by_value::<ApplyCardVerificationResponse>(body),
            "{body}"
        );
        assert_eq!(
            direct::<CardVerificationResult>(body),
            by_value::<CardVerificationResult>(body),
            "{body}"
        );
    }

    const APPLY: &str = r#"{"Response":{"CardVerificationToken":"t-1","AsyncCardVerificationMaxPollingTimes":5,"AsyncCardVerificationPollingWaitTime":"2","RequestId":"r-1"}}"#;
    const RESULT: &str = r#"{"Response":{"Status":"PASSED","CardVerificationToken":"t-1","WarnInfos":[],"CardInfo":{"HKIDCard":{"CnName":"\u9648","EnName":"SAMPLE, Jane","Permanent":1}},"RequestId":"r-2"}}"#;

    #[test]
    fn the_usual_answers_are_read_directly() {
        assert_eq!(read(APPLY, CheckResponse), Some(true));
        assert_eq!(read(RESULT, CheckResponse), Some(true));
        let apply: ApplyCardVerificationResponse = read(APPLY, ReadResponse(PhantomData)).unwrap();
        assert_eq!(apply.card_verification_token, "t-1");
        assert_eq!(apply.async_card_verification_polling_wait_time, Some(2));
        let result: Option<CardVerificationResult> = read(RESULT, ReadResponse(PhantomData));
        assert!(result.is_some());
        assert_same(APPLY);
        assert_same(RESULT);
    }

    #[test]
    fn unusual_answers_give_what_the_value_path_gives() {
        for body in [
            r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad"},"RequestId":"r"}}"#,
            r#"{"Response":{"Error":null,"CardVerificationToken":"t","RequestId":"r"}}"#,
            r#"{"Response":{"Error":5,"RequestId":"r"}}"#,
            r#"{"Response":{"CardVerificationToken":"t","RequestId":null}}"#,
            r#"{"Response":{"CardVerificationToken":"t","RequestId":7}}"#,
            r#"{"Response":{"CardVerificationToken":"t"}}"#,
            r#"{"Response":{"CardVerificationToken":"t","RequestId":"r","RequestId":"s"}}"#,
            r#"{"Response":{"CardVerificationToken":"t","CardVerificationToken":"u","RequestId":"r"}}"#,
            r#"{"Response":{"CardVerificationToken":"t","RequestId":"r"},"Response":{"RequestId":"s"}}"#,
            r#"{"Response":{"CardVerificationToken":"t","Reque\u0073tId":"r"}}"#,
            r#"{"Respon\u0073e":{"CardVerificationToken":"t","RequestId":"r"}}"#,
            r#"{"Response":{"CardVerificationToken":"t\n","RequestId":"r\"q"}}"#,
            r#"{"Response":["t","r"]}"#,
            r#"[{"Response":{"CardVerificationToken":"t","RequestId":"r"}}]"#,
            r#"[{"CardVerificationToken":"t","RequestId":"r"}]"#,
            r#"{"Response":null}"#,
            r#"{"Response":{"CardVerificationToken":"t","RequestId":"r"}} x"#,
            r#"{"Response":{"CardVerificationToken":"t","RequestId":"r"}"#,
            r#"{"Other":1,"Response":{"X":[1,{"Y":null}],"CardVerificationToken":"t","RequestId":"r"}}"#,
            r#"{"Response":{"CardVerificationToken":5,"RequestId":"r"}}"#,
            r#"{"Response":{"Status":7,"CardVerificationToken":"t","RequestId":"r"}}"#,
            r#"{"Response":{"Status":"PROCESSING","CardVerificationToken":"t","RequestId":"r","WarnInfos":"no"}}"#,
            r#"{"Response":{"CardVerificationToken":"t","Extra":"\ud800","RequestId":"r"}}"#,
            r#"{"Response":{"CardVerificationToken":"t","Extra":[1e400],"RequestId":"r"}}"#,
            r#"{"Other":{"\udc00":1},"Response":{"CardVerificationToken":"t","RequestId":"r"}}"#,
            "",
            "null",
            "{}",
        ] {
            assert_same(body);
        }
    }

    proptest! {
        /// Envelopes put together from usual and unusual pieces (repeated, reordered,
        /// mistyped): the direct reading never disagrees with the `Value` path.
        #[test]
        fn any_envelope_gives_what_the_value_path_gives(
            inner in prop::collection::vec(prop::sample::select(vec![
                r#""CardVerificationToken":"t""#,
                r#""CardVerificationToken":1"#,
                r#""RequestId":"r""#,
                r#""RequestId":null"#,
                r#""RequestId":["r"]"#,
                r#""Error":{"Code":"InternalError","Message":"m"}"#,
                r#""Error":{}"#,
                r#""Status":"PASSED""#,
                r#""Status":"PROCESSING""#,
                r#""AsyncCardVerificationMaxPollingTimes":"3""#,
                r#""AsyncCardVerificationPollingWaitTime":-1"#,
                r#""WarnInfos":[-9101,"x",null]"#,
                r#""CardInfo":{"HKIDCard":{"EnName":1}}"#,
                r#""Extra":{"Response":[]}"#,
            ]), 0..6),
            outer in prop::collection::vec(prop::sample::select(vec![
                "RESPONSE",
                r#""Other":{}"#,
                r#""Response":7"#,
            ]), 0..3),
        ) {
            let response = format!("{{{}}}", inner.join(","));
            let mut members: Vec<String> = outer
                .iter()
                .map(|m| m.replace("RESPONSE", &format!(r#""Response":{response}"#)))
                .collect();
            members.push(format!(r#""Response":{response}"#));
            members.rotate_left(outer.len() / 2);
            assert_same(&format!("{{{}}}", members.join(",")));
        }
    }
}
