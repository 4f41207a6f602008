//! STV counts against published and independent results.

use super::*;
use crate::poll::Ballot;
use crate::poll::tests::cast;

/// Ballots in the ERS ballot format (`.blt`): the candidates and seats, then each line a
/// multiplicity and preferences numbered from 1, ending in 0.
fn blt(text: &str) -> (usize, usize, Vec<(String, u64, Ballot)>) {
    let mut lines = text.lines();
    let head: Vec<usize> = lines
        .next()
        .unwrap()
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    let mut ballots = Vec::new();
    for (i, line) in lines.enumerate() {
        let numbers: Vec<u64> = line
            .split_whitespace()
            .map(|n| n.parse().unwrap())
            .collect();
        if numbers == [0] {
            break;
        }
        let ranking = numbers[1..numbers.len() - 1]
            .iter()
            .map(|c| *c as usize - 1)
            .collect();
        ballots.push((format!("line {i}"), numbers[0], Ballot::Rank(ranking)));
    }
    (head[0], head[1], ballots)
}

fn scottish_count(text: &str) -> Stv {
    let (options, seats, ballots) = blt(text);
    let cast = cast(&ballots);
    count(
        Variant::Scottish,
        seats,
        options,
        &cast.iter().collect::<Vec<_>>(),
    )
}

/// Each stage's votes per candidate then the non-transferable, written out.
fn stages(stv: &Stv) -> Vec<Vec<String>> {
    stv.rounds
        .iter()
        .filter(|r| r.action != Action::LastVacancies)
        .map(|r| {
            r.votes
                .iter()
                .map(|v| decimal(v.unwrap_or(0), stv.places))
                .chain([decimal(r.exhausted, stv.places)])
                .collect()
        })
        .collect()
}

fn expected(table: &[&[&str]]) -> Vec<Vec<String>> {
    table
        .iter()
        .map(|row| row.iter().map(|s| (*s).to_owned()).collect())
        .collect()
}

const SPRINGBURN: &[&[&str]] = &[
    &[
        "135.00000",
        "339.00000",
        "173.00000",
        "1300.00000",
        "134.00000",
        "85.00000",
        "135.00000",
        "1752.00000",
        "168.00000",
        "1189.00000",
        "0.00000",
    ],
    &[
        "139.78233",
        "351.75288",
        "176.41595",
        "1327.09987",
        "140.14871",
        "86.82184",
        "137.50503",
        "1353.00000",
        "176.88147",
        "1437.68116",
        "82.89372",
    ],
    &[
        "143.25032",
        "358.57632",
        "178.54502",
        "1336.33636",
        "143.75895",
        "88.39636",
        "138.78505",
        "1353.00000",
        "183.03308",
        "1353.00000",
        "133.29616",
    ],
    &[
        "144.60926",
        "362.87082",
        "203.47722",
        "1340.90962",
        "150.77236",
        "0.00000",
        "151.84395",
        "1353.00000",
        "186.33312",
        "1353.00000",
        "163.16127",
    ],
    &[
        "0.00000",
        "410.14226",
        "209.51745",
        "1374.08557",
        "162.73399",
        "0.00000",
        "154.90285",
        "1353.00000",
        "187.20642",
        "1353.00000",
        "205.38908",
    ],
];

const CALTON: &[&[&str]] = &[
    &[
        "128.00000",
        "219.00000",
        "302.00000",
        "245.00000",
        "231.00000",
        "195.00000",
        "126.00000",
        "1982.00000",
        "628.00000",
        "1143.00000",
        "0.00000",
    ],
    &[
        "130.40863",
        "224.84953",
        "325.39812",
        "250.84953",
        "245.79587",
        "217.36585",
        "134.94634",
        "1300.00000",
        "1035.05847",
        "1175.68855",
        "158.62549",
    ],
    &[
        "0.00000",
        "235.19362",
        "349.74221",
        "257.84953",
        "252.79587",
        "220.36585",
        "140.29043",
        "1300.00000",
        "1050.74665",
        "1196.68855",
        "195.31367",
    ],
    &[
        "0.00000",
        "251.22589",
        "373.77448",
        "260.53771",
        "257.82814",
        "225.70994",
        "0.00000",
        "1300.00000",
        "1072.12301",
        "1221.72082",
        "236.06639",
    ],
    &[
        "0.00000",
        "264.91407",
        "382.49493",
        "348.69906",
        "265.20450",
        "0.00000",
        "0.00000",
        "1300.00000",
        "1086.94027",
        "1231.40900",
        "319.32455",
    ],
    &[
        "0.00000",
        "0.00000",
        "420.83902",
        "371.04315",
        "329.26904",
        "0.00000",
        "0.00000",
        "1300.00000",
        "1115.34890",
        "1282.75309",
        "379.73318",
    ],
    &[
        "0.00000",
        "0.00000",
        "446.24765",
        "409.10769",
        "0.00000",
        "0.00000",
        "0.00000",
        "1300.00000",
        "1189.88661",
        "1360.12945",
        "493.61498",
    ],
    &[
        "0.00000",
        "0.00000",
        "461.35742",
        "412.58571",
        "0.00000",
        "0.00000",
        "0.00000",
        "1300.00000",
        "1199.81406",
        "1300.00000",
        "525.21759",
    ],
    &[
        "0.00000",
        "0.00000",
        "485.84120",
        "0.00000",
        "0.00000",
        "0.00000",
        "0.00000",
        "1300.00000",
        "1271.90931",
        "1300.00000",
        "841.22427",
    ],
    &[
        "0.00000",
        "0.00000",
        "0.00000",
        "0.00000",
        "0.00000",
        "0.00000",
        "0.00000",
        "1300.00000",
        "1393.86735",
        "1300.00000",
        "1205.10743",
    ],
];

const CANAL: &[&[&str]] = &[
    &[
        "193.00000",
        "94.00000",
        "587.00000",
        "1961.00000",
        "338.00000",
        "1055.00000",
        "579.00000",
        "2514.00000",
        "425.00000",
        "175.00000",
        "703.00000",
        "0.00000",
    ],
    &[
        "214.65496",
        "119.10720",
        "651.65104",
        "1961.00000",
        "358.71344",
        "1118.39568",
        "608.50096",
        "1725.00000",
        "544.25920",
        "222.38984",
        "793.69976",
        "306.62168",
    ],
    &[
        "217.54312",
        "120.79196",
        "658.75110",
        "1725.00000",
        "361.96262",
        "1247.76118",
        "631.96726",
        "1725.00000",
        "553.40504",
        "224.31528",
        "797.79132",
        "359.69162",
    ],
    &[
        "225.10102",
        "0.00000",
        "673.63414",
        "1725.00000",
        "368.51714",
        "1263.49790",
        "637.40144",
        "1725.00000",
        "567.60530",
        "231.26018",
        "809.18508",
        "397.77830",
    ],
    &[
        "0.00000",
        "0.00000",
        "693.62622",
        "1725.00000",
        "451.01656",
        "1274.78914",
        "644.14946",
        "1725.00000",
        "584.23974",
        "235.82938",
        "819.87800",
        "470.45200",
    ],
    &[
        "0.00000",
        "0.00000",
        "711.88496",
        "1725.00000",
        "453.95808",
        "1288.97472",
        "653.40482",
        "1725.00000",
        "648.09588",
        "0.00000",
        "887.49346",
        "530.16858",
    ],
    &[
        "0.00000",
        "0.00000",
        "814.39906",
        "1725.00000",
        "0.00000",
        "1333.51654",
        "673.70736",
        "1725.00000",
        "660.29276",
        "0.00000",
        "929.94908",
        "762.11570",
    ],
    &[
        "0.00000",
        "0.00000",
        "861.99984",
        "1725.00000",
        "0.00000",
        "1393.66368",
        "729.06384",
        "1725.00000",
        "0.00000",
        "0.00000",
        "1115.19574",
        "1074.05740",
    ],
    &[
        "0.00000",
        "0.00000",
        "905.53514",
        "1725.00000",
        "0.00000",
        "1692.04846",
        "0.00000",
        "1725.00000",
        "0.00000",
        "0.00000",
        "1157.71636",
        "1418.68054",
    ],
    &[
        "0.00000",
        "0.00000",
        "0.00000",
        "1725.00000",
        "0.00000",
        "1876.32130",
        "0.00000",
        "1725.00000",
        "0.00000",
        "0.00000",
        "1534.97862",
        "1762.68058",
    ],
];

const WEAK_DEFEAT: &[&[&str]] = &[
    &[
        "1.00000", "2.00000", "3.00000", "4.00000", "5.00000", "0.00000",
    ],
    &[
        "0.00000", "3.00000", "3.00000", "4.00000", "5.00000", "0.00000",
    ],
    &[
        "0.00000", "0.00000", "3.00000", "4.00000", "5.00000", "3.00000",
    ],
    &[
        "0.00000", "0.00000", "0.00000", "4.00000", "5.00000", "6.00000",
    ],
];

/// Glasgow City Council's 2007 ward elections, the first counted under the Order, whose
/// preference data the council published in full (here in the ERS ballot format, as kept by
/// the Droop project): the stages as the Droop STV program counts them under its Scottish
/// rules, which an independent count of ours written from the Order's text matched at every
/// stage of all 21 wards. Springburn: a short count won on quota.
#[test]
fn scottish_springburn_2007_stage_by_stage() {
    let stv = scottish_count(include_str!(
        "../../tests/data/scotland/Springburn-2007.blt"
    ));
    assert_eq!(stv.rounds[0].quota, 1353_00000);
    assert_eq!(stages(&stv), expected(SPRINGBURN));
    assert_eq!(stv.elected, vec![7, 9, 3], "Stewart, Todd, Greene");
}

/// Calton: a surplus (stage 8) of papers received at different values, each transferred at
/// its own value (rule 48(4)).
#[test]
fn scottish_calton_2007_stage_by_stage() {
    let stv = scottish_count(include_str!("../../tests/data/scotland/Calton-2007.blt"));
    assert_eq!(stages(&stv), expected(CALTON));
    assert_eq!(stv.rounds[7].action, Action::Surplus { of: 9 });
    assert_eq!(stv.elected, vec![7, 9, 8], "Redmond, Thewliss, Simpson");
}

/// Canal: the last vacancy filled under rule 52, MacKechnie's surplus never transferred.
#[test]
fn scottish_canal_2007_ends_by_rule_52() {
    let stv = scottish_count(include_str!("../../tests/data/scotland/Canal-2007.blt"));
    assert_eq!(stages(&stv), expected(CANAL));
    let last = stv.rounds.last().unwrap();
    assert_eq!(last.action, Action::LastVacancies);
    assert_eq!(last.elected, vec![10]);
    assert_eq!(
        stv.elected,
        vec![7, 3, 5, 10],
        "McAllister, Hurcombe, MacKechnie, Wild"
    );
}

/// Droop's test of rule 51: B and C tie at stage 2; at stage 1 B had fewer, so B goes.
#[test]
fn scottish_exclusion_tie_by_the_latest_stage_they_differed() {
    let stv = scottish_count(include_str!("../../tests/data/scotland/weak-defeat.blt"));
    assert_eq!(stages(&stv), expected(WEAK_DEFEAT));
    assert_eq!(stv.rounds[2].action, Action::Exclude { of: 1 });
    assert_eq!(stv.rounds[2].tie, Some(TieBreak::EarlierRound { round: 1 }));
    assert_eq!(stv.elected, vec![4, 3]);
}

/// Equal at every stage: where the Order draws lots, the one listed last is excluded (Droop's
/// own test draws E; this count excludes F). Candidates reaching the quota exactly have no
/// surplus stage.
#[test]
fn scottish_tie_at_every_stage_goes_by_the_written_rule() {
    let (options, seats, ballots) = blt(
        "6 4\n10 1 3 0\n8 2 0\n6 3 0\n5 4 0\n3 5 4 0\n3 6 4 0\n0\n\"A\"\n\"B\"\n\"C\"\n\"D\"\n\"E\"\n\"F\"\n\"t\"\n",
    );
    let cast = cast(&ballots);
    let stv = count(
        Variant::Scottish,
        seats,
        options,
        &cast.iter().collect::<Vec<_>>(),
    );
    let actions: Vec<_> = stv.rounds.iter().map(|r| r.action.clone()).collect();
    assert_eq!(
        actions,
        vec![
            Action::FirstPreferences,
            Action::Surplus { of: 0 },
            Action::Exclude { of: 5 },
        ]
    );
    assert_eq!(stv.rounds[2].tie, Some(TieBreak::ListedLast));
    assert_eq!(stv.elected, vec![0, 1, 2, 3]);
}
