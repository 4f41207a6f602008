//! The joint issue inventory: issues, their evidence, members' shares and ranks.

use super::*;

impl CoalitionDoc {
    /// Raises an issue; the member raising it shares it at rank 1 unless it ranks it later.
    pub fn add_issue(
        &mut self,
        by: &MemberId,
        new: NewIssue,
        at: Timestamp,
    ) -> Result<(), EditError> {
        let title = short("issue title", &new.title)?;
        let description = long("description", &new.description)?;
        let tags = tag_list(&new.tags)?;
        self.edit_governed(by, "raise issue", at, |doc, gov| {
            if exists(doc, &["issues", new.id.as_str()])? {
                return Err(EditError::Exists {
                    what: "issue",
                    id: new.id.to_string(),
                });
            }
            let lead = match &new.lead {
                Some(lead) => known_member(gov, lead)?,
                None => by.clone(),
            };
            let issue = Issue {
                id: new.id.clone(),
                title,
                description: Prose(description),
                raised_by: by.clone(),
                lead,
                tags,
                evidence: Vec::new(),
                status: IssueStatus::Raised,
                ranks: BTreeMap::new(),
                created_at: at,
            };
            let issues = map_at(doc, &["issues"])?;
            reconcile_prop(doc, &issues, new.id.as_str(), &issue)?;
            Ok(())
        })
    }

    /// Edits an issue's shared record: only the fields given are written.
    pub fn edit_issue(
        &mut self,
        by: &MemberId,
        issue: &IssueId,
        edit: IssueEdit,
        at: Timestamp,
    ) -> Result<IssueId, EditError> {
        let title = edit
            .title
            .as_deref()
            .map(|t| short("issue title", t))
            .transpose()?;
        let description = edit
            .description
            .as_deref()
            .map(|d| long("description", d))
            .transpose()?;
        let add_tags = tag_list(&edit.add_tags)?;
        self.edit_governed(by, "edit issue", at, |doc, gov| {
            record_in(doc, &["issues"], issue.as_str(), "issue")?;
            let obj = map_at(doc, &["issues", issue.as_str()])?;
            if let Some(title) = title {
                doc.put(&obj, "title", title)?;
            }
            if let Some(description) = description {
                let text = text_at(doc, &obj, "description")?;
                doc.update_text(&text, description)?;
            }
            if let Some(status) = edit.status {
                doc.put(&obj, "status", status.as_str())?;
            }
            if let Some(lead) = &edit.lead {
                let lead = known_member(gov, lead)?;
                doc.put(&obj, "lead", lead.as_str())?;
            }
            if !add_tags.is_empty() {
                let existing: Vec<String> = read_at(doc, &["issues", issue.as_str(), "tags"])?;
                let tags = list_at(doc, &["issues", issue.as_str(), "tags"])?;
                for tag in add_tags.into_iter().filter(|t| !existing.contains(t)) {
                    let len = doc.length(&tags);
                    doc.insert(&tags, len, tag)?;
                }
            }
            Ok(issue.clone())
        })
    }

    /// Adds evidence to an issue.
    pub fn add_evidence(
        &mut self,
        by: &MemberId,
        issue: &IssueId,
        source: &str,
        figure: &str,
        disaggregation: &str,
        at: Timestamp,
    ) -> Result<IssueId, EditError> {
        let evidence = Evidence {
            source: short("evidence source", source)?,
            figure: short("evidence figure", figure)?,
            disaggregation: optional_short("disaggregation note", disaggregation)?,
            added_by: by.clone(),
        };
        self.edit(by, "add evidence", at, |doc| {
            record_in(doc, &["issues"], issue.as_str(), "issue")?;
            let list = list_at(doc, &["issues", issue.as_str(), "evidence"])?;
            let len = doc.length(&list);
            autosurgeon::reconcile_insert(doc, list, len, &evidence)?;
            Ok(issue.clone())
        })
    }

    /// Marks an issue as shared by the acting member, with its priority rank.
    pub fn share_issue(
        &mut self,
        by: &MemberId,
        issue: &IssueId,
        rank: Rank,
        at: Timestamp,
    ) -> Result<IssueId, EditError> {
        self.edit(by, "share issue", at, |doc| {
            record_in(doc, &["issues"], issue.as_str(), "issue")?;
            let ranks = map_at(doc, &["issues", issue.as_str(), "ranks"])?;
            reconcile_prop(doc, &ranks, by.as_str(), rank)?;
            Ok(issue.clone())
        })
    }

    /// Withdraws the acting member's share of an issue.
    pub fn unshare_issue(
        &mut self,
        by: &MemberId,
        issue: &IssueId,
        at: Timestamp,
    ) -> Result<IssueId, EditError> {
        self.edit(by, "unshare issue", at, |doc| {
            record_in(doc, &["issues"], issue.as_str(), "issue")?;
            let ranks = map_at(doc, &["issues", issue.as_str(), "ranks"])?;
            doc.delete(&ranks, by.as_str())?;
            Ok(issue.clone())
        })
    }
}

pub(super) fn tag_list(tags: &[String]) -> Result<Vec<String>, EditError> {
    if tags.len() > MAX_LIST {
        return Err(EditError::TooMany {
            field: "tags",
            len: tags.len(),
            max: MAX_LIST,
        });
    }
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = normalize_tag(t)?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}
