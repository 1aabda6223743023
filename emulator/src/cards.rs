//! Plausible, obviously fictional card data for a verdict, in the CardInfo member that fits the
//! document (spec §5.3), built from the crate's own response models so the shapes are exact.
//!
//! | Document | CardInfo member |
//! |---|---|
//! | IDN ID_CARD / DRIVING_LICENSE | `IndonesiaIDCard` / `IndonesiaDrivingLicense` |
//! | HKG, THA, MYS, SGP, JPN, TWN, BGD ID_CARD | `HKIDCard`, `ThailandIDCard`, `MLIDCard`, `SingaporeIDCard`, `JapanIDCard`, `TaiWanIDCard`, `BangladeshIDCard` |
//! | NGA ID_CARD / DRIVING_LICENSE | `NigeriaIDCard` / `NigeriaDrivingLicense` |
//! | PAK ID_CARD / DRIVING_LICENSE | `PakistanIDCard` / `PakistanDrivingLicense` |
//! | any PASSPORT | `InternationalIDPassport` (with check-digit-correct MRZ lines) |
//! | everything else, `AUTO` included | `GeneralCard` with a nested `Address` |
//!
//! The person is always JANE SAMPLE, born 1990-01-01; Nationality and CardType are echoed as
//! requested (`AUTO` included: the emulator detects nothing); country fields inside the card use
//! `XXX` (unspecified) for `AUTO`.

use tcfaceid::api::{
    Address, BangladeshIdCard, CardInfo, GeneralCard, HkIdCard, IndonesiaDrivingLicense,
    IndonesiaIdCard, InternationalIdPassport, JapanIdCard, MlIdCard, NigeriaDrivingLicense,
    NigeriaIdCard, PakistanDrivingLicense, PakistanIdCard, SingaporeIdCard, TaiWanIdCard,
    ThailandIdCard,
};
use tcfaceid::card::{CardType, Nationality};

const BIRTH_YEAR: i64 = 1990;

fn s(text: &str) -> Option<String> {
    Some(text.to_owned())
}

/// `CardSubType` for a card type (values from spec §5.2).
pub(crate) fn card_sub_type(card_type: &CardType) -> &'static str {
    match card_type {
        CardType::IdCard => "NATIONAL_ID",
        CardType::DrivingLicense => "REGULAR_DRIVING_LICENSE",
        CardType::Passport => "E_PASSPORT",
        CardType::Auto | CardType::ResidencePermit | CardType::Other(_) => "OTHER_ID",
    }
}

/// ISO 3166-1 alpha-3 for the card's own country fields; `XXX` when not known.
fn country(nationality: &Nationality) -> &str {
    match nationality {
        Nationality::Auto | Nationality::Other(_) => "XXX",
        known => known.as_str(),
    }
}

/// The card data for a document; `year` is the emulator's current year (for `Age`).
pub(crate) fn card_info(nationality: &Nationality, card_type: &CardType, year: i64) -> CardInfo {
    use CardType::{DrivingLicense, IdCard, Passport};
    use Nationality::*;
    let age = Some((year - BIRTH_YEAR).max(0).to_string());
    let mut info = CardInfo::default();
    match (nationality, card_type) {
        (_, Passport) => info.international_id_passport = Some(passport(country(nationality))),
        (Idn, IdCard) => info.indonesia_id_card = Some(indonesia_id()),
        (Idn, DrivingLicense) => {
            info.indonesia_driving_license = Some(IndonesiaDrivingLicense {
                last_name: s("SAMPLE"),
                first_name: s("JANE"),
                license_number: s("900101123456"),
                birthday: s("01-01-1990"),
                address: s("JL. CONTOH NO. 1, JAKARTA PUSAT"),
                expiration_date: s("01-01-2029"),
                issued_date: s("01-01-2024"),
                issued_country: s("IDN"),
            })
        }
        (Hkg, IdCard) => {
            info.hk_id_card = Some(HkIdCard {
                cn_name: s("樣本"),
                en_name: s("SAMPLE, Jane"),
                telex_code: s("3677 2606"),
                sex: s("女F"),
                birthday: s("01-01-1990"),
                permanent: s("1"),
                id_num: s("C123456(9)"),
                symbol: s("***AZ"),
                first_issue_date: s("(01-08)"),
                current_issue_date: s("01-01-20"),
            })
        }
        (Tha, IdCard) => {
            info.thailand_id_card = Some(ThailandIdCard {
                last_name: s("SAMPLE"),
                first_name: s("JANE"),
                license_number: s("1 2345 67890 12 1"),
                date_of_birth: s("1 Jan. 1990"),
                date_of_expiry: s("1 Jan. 2030"),
                date_of_issue: s("1 Jan. 2022"),
                issued_country: s("THA"),
            })
        }
        (Mys, IdCard) => {
            info.ml_id_card = Some(MlIdCard {
                name: s("JANE SAMPLE"),
                id: s("900101-14-5678"),
                sex: s("PEREMPUAN"),
                address: s("1 JALAN CONTOH, 50000 KUALA LUMPUR"),
                card_type: s("MyKad"),
                birthday: s("1990-01-01"),
            })
        }
        (Sgp, IdCard) => info.singapore_id_card = Some(singapore_id()),
        (Jpn, IdCard) => {
            info.japan_id_card = Some(JapanIdCard {
                full_name: s("SAMPLE JANE"),
                license_number: s("123456789012"),
                age,
                birthday: s("1990-01-01"),
                expiration_date: s("2030-01-01"),
                formatted_address: s("1-1 SAMPLE-CHO, CHIYODA-KU, TOKYO"),
            })
        }
        (Twn, IdCard) => {
            info.taiwan_id_card = Some(TaiWanIdCard {
                full_name: s("樣本珍"),
                license_number: s("A234567890"),
                sex: s("女"),
                issued_country: s("TWN"),
                registration_number: s("A234567890"),
            })
        }
        (Bgd, IdCard) => {
            info.bangladesh_id_card = Some(BangladeshIdCard {
                last_name: s("SAMPLE"),
                first_name: s("JANE"),
                license_number: s("1990123456789"),
                age,
                birthday: s("01 Jan 1990"),
                issued_country: s("BGD"),
            })
        }
        (Nga, IdCard) => {
            info.nigeria_id_card = Some(NigeriaIdCard {
                last_name: s("SAMPLE"),
                first_name: s("JANE"),
                license_number: s("12345678901"),
                age,
                birthday: s("01-01-1990"),
                issued_country: s("NGA"),
                sex: s("F"),
            })
        }
        (Nga, DrivingLicense) => {
            info.nigeria_driving_license = Some(NigeriaDrivingLicense {
                last_name: s("SAMPLE"),
                first_name: s("JANE"),
                license_number: s("ABC12345AA01"),
                age,
                birthday: s("01-01-1990"),
                issued_country: s("NGA"),
                expiration_date: s("01-01-2029"),
                issued_date: s("01-01-2024"),
                sex: s("F"),
            })
        }
        (Pak, IdCard) => {
            info.pakistan_id_card = Some(PakistanIdCard {
                last_name: s("SAMPLE"),
                first_name: s("JANE"),
                license_number: s("35202-1234567-8"),
                age,
                birthday: s("01.01.1990"),
                issued_country: s("PAK"),
            })
        }
        (Pak, DrivingLicense) => {
            info.pakistan_driving_license = Some(PakistanDrivingLicense {
                last_name: s("SAMPLE"),
                first_name: s("JANE"),
                license_number: s("35202-1234567-8"),
                age,
                birthday: s("01.01.1990"),
                issued_country: s("PAK"),
            })
        }
        _ => info.general_card = Some(general_card(country(nationality), age)),
    }
    info
}

fn indonesia_id() -> IndonesiaIdCard {
    IndonesiaIdCard {
        nik: s("3171234101900001"),
        nama: s("JANE SAMPLE"),
        tempat_tgl_lahir: s("JAKARTA, 01-01-1990"),
        jenis_kelamin: s("PEREMPUAN"),
        gol_darah: s("O"),
        alamat: s("JL. CONTOH NO. 1"),
        rtrw: s("001/002"),
        kel_desa: s("MENTENG"),
        kecamatan: s("MENTENG"),
        agama: s("ISLAM"),
        status_perkawinan: s("BELUM KAWIN"),
        perkerjaan: s("KARYAWAN SWASTA"),
        kewarga_negaraan: s("WNI"),
        berlaku_hingga: s("SEUMUR HIDUP"),
        issued_date: s("01-01-2020"),
        provinsi: s("DKI JAKARTA"),
        kota: s("JAKARTA PUSAT"),
    }
}

fn singapore_id() -> SingaporeIdCard {
    SingaporeIdCard {
        ch_name: s("样本"),
        chinese_name: s("样本"),
        en_name: s("JANE SAMPLE"),
        full_name: s("JANE SAMPLE"),
        id: s("S9012345A"),
        license_number: s("S9012345A"),
        sex: s("F"),
        country_of_birth: s("SINGAPORE"),
        nationality: s("SINGAPORE CITIZEN"),
        birthday: s("01-01-1990"),
        address: s("1 SAMPLE ROAD #01-01 SINGAPORE 123456"),
        race: s("CHINESE"),
        nric_code: s("S9012345A"),
        post_code: s("123456"),
        date_of_expiration: s("01-01-2030"),
        date_of_issue: s("01-01-2020"),
    }
}

fn general_card(country: &str, age: Option<String>) -> GeneralCard {
    GeneralCard {
        license_number: s("GC1234567"),
        expiration_date: s("2030-01-01"),
        issued_date: s("2020-01-01"),
        issued_authority: s("SAMPLE REGISTRY"),
        issued_country: s(country),
        full_name: s("JANE SAMPLE"),
        first_name: s("JANE"),
        last_name: s("SAMPLE"),
        sex: s("F"),
        age,
        birthday: s("1990-01-01"),
        birth_place: s("SAMPLE CITY"),
        nationality: s(country),
        address: Some(Address {
            country: s(country),
            postal_code: s("12345"),
            subdivision: s("SAMPLE STATE"),
            city: s("SAMPLE CITY"),
            formatted_address: s("1 SAMPLE STREET, SAMPLE CITY 12345"),
            line_one: s("1 SAMPLE STREET"),
            line_two: s("SAMPLE CITY 12345"),
            ..Address::default()
        }),
        ..GeneralCard::default()
    }
}

fn passport(country: &str) -> InternationalIdPassport {
    let number = "E12345678";
    let (birth, expiry) = ("900101", "300101");
    let personal = "<".repeat(14);
    let line1 = format!(
        "P<{country}SAMPLE<<JANE{}",
        "<".repeat(44 - 14 - country.len())
    );
    let mut line2 = format!(
        "{number}{}{country}{birth}{}F{expiry}{}{personal}{}",
        mrz_check(number),
        mrz_check(birth),
        mrz_check(expiry),
        mrz_check(&personal),
    );
    let composite: String = [&line2[0..10], &line2[13..20], &line2[21..43]].concat();
    line2.push(mrz_check(&composite));
    InternationalIdPassport {
        license_number: s(number),
        full_name: s("JANE SAMPLE"),
        surname: s("SAMPLE"),
        given_name: s("JANE"),
        birthday: s("1990-01-01"),
        sex: s("F"),
        date_of_expiration: s("2030-01-01"),
        issuing_country: s(country),
        nationality_code: s(country),
        passport_code_first: Some(line1),
        passport_code_second: Some(line2),
    }
}

/// ICAO 9303 check digit: weights 7, 3, 1; digits as is, letters A=10.., `<` = 0.
fn mrz_check(field: &str) -> char {
    let sum: u32 = field
        .bytes()
        .zip([7u32, 3, 1].into_iter().cycle())
        .map(|(b, weight)| {
            let value = match b {
                b'0'..=b'9' => u32::from(b - b'0'),
                b'A'..=b'Z' => u32::from(b - b'A') + 10,
                _ => 0,
            };
            value * weight
        })
        .sum();
    char::from(b'0' + (sum % 10) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mrz_lines_are_44_characters_with_correct_check_digits() {
        // The ICAO 9303 specimen: L898902C3 -> 6, 740812 -> 2, 120415 -> 9.
        assert_eq!(mrz_check("L898902C3"), '6');
        assert_eq!(mrz_check("740812"), '2');
        assert_eq!(mrz_check("120415"), '9');
        let p = passport("IDN");
        assert_eq!(p.passport_code_first.as_deref().map(str::len), Some(44));
        assert_eq!(p.passport_code_second.as_deref().map(str::len), Some(44));
        assert!(p
            .passport_code_first
            .unwrap()
            .starts_with("P<IDNSAMPLE<<JANE"));
    }

    #[test]
    fn each_document_fills_exactly_one_member() {
        let nationalities = Nationality::KNOWN;
        for nationality in nationalities {
            for card_type in CardType::KNOWN {
                let info = card_info(nationality, card_type, 2025);
                let value = serde_json::to_value(&info).unwrap();
                let members = value.as_object().unwrap();
                assert_eq!(members.len(), 1, "{nationality} {card_type}: {value}");
            }
        }
        let general = card_info(&Nationality::Auto, &CardType::Auto, 2025)
            .general_card
            .unwrap();
        assert_eq!(general.address.unwrap().country.as_deref(), Some("XXX"));
        assert_eq!(general.age.as_deref(), Some("35"));
        assert!(card_info(&Nationality::Hkg, &CardType::IdCard, 2025)
            .hk_id_card
            .is_some());
        assert!(
            card_info(&Nationality::Pak, &CardType::DrivingLicense, 2025)
                .pakistan_driving_license
                .is_some()
        );
        assert!(
            card_info(&Nationality::Hkg, &CardType::DrivingLicense, 2025)
                .general_card
                .is_some()
        );
    }
}
