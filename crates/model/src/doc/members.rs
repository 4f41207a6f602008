//! Members: their profiles, admission, node keys, flags, leaving.

use super::*;

impl CoalitionDoc {
    /// Updates the acting member's own profile; `None` fields stay as they are. A member's
    /// profile is its own: this edit only ever writes the acting member's record.
    pub fn update_profile(
        &mut self,
        by: &MemberId,
        update: ProfileUpdate,
        at: Timestamp,
    ) -> Result<(), EditError> {
        let name = update
            .name
            .as_deref()
            .map(|n| short("organization name", n))
            .transpose()?;
        let communities = update
            .communities
            .as_deref()
            .map(|l| short_list("communities", l))
            .transpose()?;
        let languages = update
            .languages
            .as_deref()
            .map(|l| short_list("languages", l))
            .transpose()?;
        let accessibility = update
            .accessibility
            .as_deref()
            .map(|l| short_list("accessibility needs", l))
            .transpose()?;
        let contact = update
            .contact
            .as_deref()
            .map(|c| optional_short("contact", c))
            .transpose()?;
        self.edit(by, "update profile", at, |doc| {
            let obj = map_at(doc, &["members", by.as_str()])?;
            if let Some(name) = name {
                doc.put(&obj, "name", name)?;
            }
            for (key, list) in [
                ("communities", communities),
                ("languages", languages),
                ("accessibility", accessibility),
            ] {
                if let Some(list) = list {
                    reconcile_prop(doc, &obj, key, list)?;
                }
            }
            if let Some(contact) = contact {
                doc.put(&obj, "contact", contact)?;
            }
            Ok(())
        })
    }

    /// Admits a new member organization with its first node key.
    pub fn admit_member(
        &mut self,
        by: &MemberId,
        id: &MemberId,
        profile: &MemberProfile,
        key: NodeKey,
        at: Timestamp,
    ) -> Result<(), EditError> {
        let record = member_record(id, profile, key, at)?;
        self.edit_governed(by, "admit member", at, |doc, gov| {
            if gov.rules.admission.is_some() {
                return Err(EditError::Refused {
                    why: "the charter admits members by vote: the invite opens a membership \
                          proposal"
                        .into(),
                });
            }
            write_new_member(doc, id, key, &record)
        })
    }

    /// Adds another node key to act for the acting member (an organization's second
    /// laptop). The key must not be any member's already.
    pub fn add_device_key(
        &mut self,
        by: &MemberId,
        key: NodeKey,
        at: Timestamp,
    ) -> Result<(), EditError> {
        self.edit(by, ADD_DEVICE_KEY, at, |doc| {
            let all = members(doc)?;
            if all.values().any(|m| m.keys.contains(&key)) {
                return Err(EditError::Exists {
                    what: "member with node key",
                    id: key.to_string(),
                });
            }
            // The rules refuse a longer list of keys on receipt.
            let held = all.get(by).map_or(0, |m| m.keys.len());
            if held >= MAX_LIST {
                return Err(EditError::TooMany {
                    field: "node keys",
                    len: held + 1,
                    max: MAX_LIST,
                });
            }
            append(doc, &["members", by.as_str()], "keys", key.to_string())
        })
    }

    /// Revokes one of the acting member's node keys: changes that key signs from then on are
    /// refused. A member keeps at least one key.
    pub fn revoke_device_key(
        &mut self,
        by: &MemberId,
        key: NodeKey,
        at: Timestamp,
    ) -> Result<(), EditError> {
        self.edit(by, "revoke device key", at, |doc| {
            let current: Vec<NodeKey> = read_at(doc, &["members", by.as_str(), "keys"])?;
            let Some(index) = current.iter().position(|k| *k == key) else {
                return Err(EditError::Unknown {
                    what: "node key of this member",
                    id: key.to_string(),
                });
            };
            if current.len() == 1 {
                return Err(EditError::Refused {
                    why: "a member keeps at least one node key; to stop acting for it, leave \
                          the coalition"
                        .into(),
                });
            }
            let keys = list_at(doc, &["members", by.as_str(), "keys"])?;
            doc.delete(&keys, index)?;
            Ok(())
        })
    }

    /// Flags another member's node key that was found writing two histories (a fork: the
    /// caller has checked the evidence, see `sync::forks`). Once two members in force other
    /// than its own have flagged it, what that key writes after seeing their flags is refused
    /// on every node ([`crate::governance::InForce::flagged`]). Flagging a key already
    /// flagged by the acting member changes nothing.
    pub fn flag_key(
        &mut self,
        by: &MemberId,
        key: NodeKey,
        at: Timestamp,
    ) -> Result<(), EditError> {
        self.edit(by, "flag forked key", at, |doc| {
            let all = members(doc)?;
            let Some(owner) = all.values().find(|m| m.keys.contains(&key)) else {
                return Err(EditError::Unknown {
                    what: "member with node key",
                    id: key.to_string(),
                });
            };
            if owner.id == *by {
                return Err(EditError::Refused {
                    why: "that key is your own organization's: revoke it instead".into(),
                });
            }
            let mine = all.get(by).ok_or_else(|| EditError::Unknown {
                what: "member",
                id: by.to_string(),
            })?;
            add_flag(doc, mine, 0, key).map(|_| ())
        })
    }

    /// [`Self::flag_key`] for each of `keys` that is another member's in force and not flagged
    /// by the acting member yet, in one change; the others are skipped, not refused (a node
    /// flags what the sync protocol found, whoever holds it now). Returns how many it flagged.
    pub fn flag_keys(
        &mut self,
        by: &MemberId,
        keys: &[NodeKey],
        at: Timestamp,
    ) -> Result<usize, EditError> {
        self.edit_governed(by, "flag forked keys", at, |doc, gov| {
            // `edit_governed` checked that the acting member is in force.
            let Some(mine) = gov.members.get(by.as_str()) else {
                return Ok(0);
            };
            let mut written = 0;
            for key in keys {
                if !mine.keys.contains(key)
                    && gov.member_of(key.as_bytes()).is_some()
                    && add_flag(doc, mine, written, *key)?
                {
                    written += 1;
                }
            }
            Ok(written)
        })
    }

    /// The acting member leaves the coalition: from this change on it writes nothing and
    /// the other nodes stop sending it the coalition's data. Its records stay.
    pub fn leave(&mut self, by: &MemberId, at: Timestamp) -> Result<(), EditError> {
        self.edit_governed(by, "leave coalition", at, |doc, gov| {
            if gov.members.len() == 1 {
                return Err(EditError::Refused {
                    why: "your organization is the coalition's only member; it cannot leave a \
                          coalition with no one in it"
                        .into(),
                });
            }
            let obj = map_at(doc, &["members", by.as_str()])?;
            reconcile_prop(doc, &obj, "left_at", Some(at))?;
            Ok(())
        })
    }

    /// Admits a new member by the charter's admission rule: by this invite if the rule is
    /// the invite, else as a member awaiting the vote of a membership proposal `proposal`
    /// opened in the same change. Returns the proposal when there is a vote.
    #[allow(clippy::too_many_arguments)]
    pub fn admit_by_rule(
        &mut self,
        by: &MemberId,
        id: &MemberId,
        profile: &MemberProfile,
        key: NodeKey,
        proposal: &ProposalId,
        at: Timestamp,
    ) -> Result<Option<ProposalId>, EditError> {
        if self.in_force(at)?.rules.admission.is_none() {
            return self.admit_member(by, id, profile, key, at).map(|()| None);
        }
        let mut record = member_record(id, profile, key, at)?;
        record.admission = Some(proposal.clone());
        self.edit_governed(by, "propose admission", at, |doc, gov| {
            write_new_member(doc, id, key, &record)?;
            let new = NewProposal {
                id: proposal.clone(),
                kind: DecisionKind::Membership,
                title: format!("Admit {}", record.name),
                text: String::new(),
                closes_at: None,
            };
            let what = Subject {
                subject: Some(crate::schema::Subject::Admit(id.clone())),
                ..Subject::default()
            };
            open_proposal(doc, gov, by, &new, what, at)?;
            Ok(Some(proposal.clone()))
        })
    }
}

/// Writes a new member's record, once neither its id nor its node key is taken by any member
/// record.
pub(super) fn write_new_member(
    doc: &mut AutoCommit,
    id: &MemberId,
    key: NodeKey,
    record: &Member,
) -> Result<(), EditError> {
    let records = members(doc)?;
    if records.contains_key(id.as_str()) {
        return Err(EditError::Exists {
            what: "member",
            id: id.to_string(),
        });
    }
    if records.values().any(|m| m.keys.contains(&key)) {
        return Err(EditError::Exists {
            what: "member with node key",
            id: key.to_string(),
        });
    }
    let members = map_at(doc, &["members"])?;
    reconcile_prop(doc, &members, id.as_str(), record)?;
    Ok(())
}

pub(super) fn member_record(
    id: &MemberId,
    p: &MemberProfile,
    key: NodeKey,
    at: Timestamp,
) -> Result<Member, EditError> {
    Ok(Member {
        id: id.clone(),
        name: short("organization name", &p.name)?,
        communities: short_list("communities", &p.communities)?,
        languages: short_list("languages", &p.languages)?,
        accessibility: short_list("accessibility needs", &p.accessibility)?,
        contact: optional_short("contact", &p.contact)?,
        keys: vec![key],
        joined_at: at,
        left_at: None,
        admission: None,
        flagged: Vec::new(),
    })
}

/// The member `id`, which must be in force.
pub(super) fn known_member(gov: &InForce, id: &MemberId) -> Result<MemberId, EditError> {
    if gov.members.contains_key(id) {
        Ok(id.clone())
    } else {
        Err(EditError::NotFound {
            what: "member",
            id: id.to_string(),
        })
    }
}

pub(super) fn member_name(doc: &AutoCommit, id: &str) -> String {
    read_at::<Member>(doc, &["members", id]).map_or_else(|_| id.to_owned(), |m| m.name)
}

/// Adds `key` to the flags of `mine` (as read before this change, which has added `written`
/// flags since) unless it is there already; whether it added it.
pub(super) fn add_flag(
    doc: &mut AutoCommit,
    mine: &Member,
    written: usize,
    key: NodeKey,
) -> Result<bool, EditError> {
    if mine.flagged.contains(&key) {
        return Ok(false);
    }
    if mine.flagged.len() + written >= MAX_FLAGS {
        return Err(EditError::TooMany {
            field: "flagged keys",
            len: mine.flagged.len() + written + 1,
            max: MAX_FLAGS,
        });
    }
    append(
        doc,
        &["members", mine.id.as_str()],
        "flagged",
        key.to_string(),
    )?;
    Ok(true)
}
