use super::*;
use serde::Serialize;

proptest::proptest! {
    /// What the API answers reads back as the same value on the command line's side (its
    /// replies are read into these types), and a value out of range is refused on reading.
    #[test]
    fn values_read_back_as_serialized(
        ms in proptest::num::i64::ANY,
        hundredths in 0i64..=100_000_000_000_000,
        (num, den) in proptest::strategy::Strategy::prop_flat_map(1u32..1000, |d| {
            (0..=d, proptest::strategy::Just(d))
        }),
        rank in 0u64..20,
        days in -100_000i32..100_000,
    ) {
        use proptest::prelude::*;
        fn back<T: Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(
            v: &T,
        ) -> Result<(), TestCaseError> {
            let json = serde_json::to_string(v).unwrap();
            let read: T = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(&read, v, "{}", json);
            Ok(())
        }
        back(&Timestamp::from_millis(ms))?;
        if let Ok(a) = Amount::from_hundredths(hundredths) {
            back(&a)?;
        }
        back(&Fraction::new(num, den).unwrap())?;
        match Rank::new(rank) {
            Ok(r) => back(&r)?,
            Err(_) => prop_assert!(serde_json::from_str::<Rank>(&rank.to_string()).is_err()),
        }
        let day = jiff::civil::date(2026, 1, 1).checked_add(jiff::Span::new().days(days));
        if let Ok(d) = day {
            back(&Day(d))?;
        }
    }
}

#[test]
fn amounts_parse_exactly_and_refuse_bad_input() {
    assert_eq!("500".parse::<Amount>().unwrap().hundredths(), 50_000);
    assert_eq!("12.5".parse::<Amount>().unwrap().hundredths(), 1_250);
    assert_eq!("0.07".parse::<Amount>().unwrap().to_string(), "0.07");
    assert_eq!("12.50".parse::<Amount>().unwrap().to_string(), "12.50");
    for bad in [
        "-5",
        "",
        ".",
        "1.234",
        "abc",
        "1e5",
        "99999999999999",
        "1.-2",
    ] {
        let e = bad.parse::<Amount>().unwrap_err();
        assert_eq!(e.what, "amount", "{bad}");
    }
    assert!(
        "-5".parse::<Amount>()
            .unwrap_err()
            .to_string()
            .contains("negative")
    );
}

#[test]
fn ranks_are_one_to_ten() {
    assert!(Rank::new(0).is_err());
    assert!(Rank::new(11).is_err());
    assert_eq!(Rank::new(1).unwrap().weight(), 10);
    assert_eq!("10".parse::<Rank>().unwrap().weight(), 1);
}

#[test]
fn fractions_parse_both_ways() {
    assert_eq!("2/3".parse::<Fraction>().unwrap(), Fraction::TWO_THIRDS);
    assert_eq!("0.5".parse::<Fraction>().unwrap().to_string(), "5/10");
    assert!("3/2".parse::<Fraction>().is_err());
    assert!("1/0".parse::<Fraction>().is_err());
    assert!(Fraction::HALF.reached_by(1, 2));
    assert!(!Fraction::HALF.reached_by(1, 3));
}

#[test]
fn vocabularies_accept_friendly_spellings() {
    assert_eq!(
        "Public Statement".parse::<DecisionKind>().unwrap(),
        DecisionKind::PublicStatement
    );
    assert_eq!(
        "volunteer_hours".parse::<PoolKind>().unwrap(),
        PoolKind::VolunteerHours
    );
    let e = "vote".parse::<Stance>().unwrap_err().to_string();
    assert!(e.contains("agree, abstain, disagree, block"), "{e}");
}

#[test]
fn days_and_keys_round_trip() {
    assert_eq!(
        "2026-11-24".parse::<Day>().unwrap().to_string(),
        "2026-11-24"
    );
    assert!("2026-13-01".parse::<Day>().is_err());
    assert!("26-1-1".parse::<Day>().is_err());
    let k = NodeKey::from_bytes([7; 32]);
    assert_eq!(k.to_string().parse::<NodeKey>().unwrap(), k);
    assert!("xyz".parse::<NodeKey>().is_err());
}

#[test]
fn tags_are_normalized() {
    assert_eq!(
        normalize_tag("Immigration status").unwrap(),
        "immigration-status"
    );
    assert!(normalize_tag("  ").is_err());
}

#[test]
fn names_read_alike_whatever_draws_nothing_in_them() {
    let read = super::name_as_read;
    assert_eq!(read("Northside Tenants Union"), "northside tenants union");
    assert_eq!(
        read(" Northside\u{200b}  Tenants\u{2066} union\u{feff} "),
        "northside tenants union"
    );
    assert_ne!(read("Northside Tenants"), read("Northside Tenants Union"));
    assert_eq!(read("\u{3164}\u{2800} \u{200b}"), "");
    assert!(super::is_blank("\u{200b}\u{2800} \u{3164}"));
    assert!(!super::is_blank("no"));
}

#[test]
fn a_short_id_written_into_a_name_is_read_past() {
    let read = super::name_as_read;
    assert_eq!(
        read("Northside Tenants Union (a1a1a1a1)"),
        "northside tenants union"
    );
    assert_eq!(read("Northside (A1B2C3D4) "), "northside");
    assert_eq!(read("Eastside (a1a1a1a1) (c3c3c3c3)"), "eastside");
    assert_eq!(read("Local 12 (2024)"), "local 12 (2024)");
}
