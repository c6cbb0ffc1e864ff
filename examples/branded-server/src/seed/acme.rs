//! Acme Corp: a website redesign half-way through — discovery signed off, the homepage design
//! waiting for approval, the build ahead — plus an internal proposal the client cannot see yet.

use portal_core::model::{
    ApprovalRequest, InvoiceInput, ProjectInput, ProjectStatus, TaskOwner, ThreadSubject,
};
use portal_core::state::{
    ApprovalOutcome, DeliverableStatus, InvoiceStatus, MilestoneStatus, RequestStatus,
};
use portal_core::{Currency, DateRange, HttpsUrl, Money};
use portal_storage::ApprovalDecision;

use super::files;
use super::people::People;
use super::seeder::{Seeder, name};

pub(super) async fn seed(seeder: &mut Seeder<'_>, people: &People) -> anyhow::Result<()> {
    let priya = &people.get("priya@northwind.example")?.scope;
    let leo = &people.get("leo@northwind.example")?.scope;
    let tom = &people.get("tom@northwind.example")?.scope;
    let sarah = people.get("sarah@acme.example")?;
    let james = people.get("james@acme.example")?;
    let client = people.acme;
    let usd = Currency::parse("USD")?;

    let project = seeder
        .project(
            priya,
            ProjectInput {
                client,
                name: name("Website redesign")?,
                description: "A new acme.example: clearer product pages, case studies up front, \
                              and a CMS the marketing team can run without us."
                    .to_owned(),
                status: ProjectStatus::Active,
                schedule: Some(DateRange::new(seeder.day(-42), seeder.day(42))?),
                budget: Some(Money::new(4_800_000, usd)),
                external_id: Some("pm-acme-web".to_owned()),
            },
            true,
        )
        .await?;
    seeder
        .project(
            priya,
            ProjectInput {
                client,
                name: name("SEO retainer proposal")?,
                description: "Draft: a six-month search retainer to follow the launch. Not yet \
                              shared with Acme."
                    .to_owned(),
                status: ProjectStatus::OnHold,
                schedule: None,
                budget: Some(Money::new(1_800_000, usd)),
                external_id: None,
            },
            false,
        )
        .await?;

    seeder
        .document(
            priya,
            client,
            Some(project.id),
            "Statement of work",
            true,
            vec![files::statement_of_work()],
        )
        .await?;

    // Milestone 1, done: its deliverable was approved by Acme and handed over.
    let discovery = seeder
        .milestone(
            priya,
            project.id,
            1,
            "Discovery and strategy",
            -21,
            true,
            &[MilestoneStatus::InProgress],
        )
        .await?;
    let sitemap = seeder
        .deliverable(
            priya,
            discovery.id,
            "Sitemap and content plan",
            -24,
            true,
            &[DeliverableStatus::InProgress],
        )
        .await?;
    let (_, sitemap_versions) = seeder
        .document(
            priya,
            client,
            Some(project.id),
            "Sitemap and content plan",
            true,
            vec![files::sitemap()],
        )
        .await?;
    let sitemap_version = sitemap_versions
        .first()
        .ok_or_else(|| anyhow::anyhow!("the sitemap has no version"))?;
    let signed_off = seeder
        .request_approval(
            priya,
            ApprovalRequest {
                deliverable: Some(sitemap.id),
                document_version: sitemap_version.id,
                message: "Please sign off the sitemap and content plan so design can start."
                    .to_owned(),
                due_at: None,
            },
        )
        .await?;
    seeder
        .stores
        .approvals
        .decide(
            &james.scope,
            signed_off.id,
            ApprovalDecision {
                outcome: ApprovalOutcome::Approved,
                sha256: sitemap_version.sha256,
                comment: Some("Approved: matches what we agreed in the workshop.".to_owned()),
                signature: name("James Porter")?,
            },
            &seeder.ctx,
        )
        .await?;
    let sitemap = seeder
        .stores
        .deliverables
        .deliverable(priya, sitemap.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the sitemap deliverable vanished"))?;
    seeder
        .move_deliverable(priya, &sitemap, DeliverableStatus::Delivered)
        .await?;
    seeder
        .stores
        .milestones
        .move_milestone(priya, discovery.id, MilestoneStatus::Completed, &seeder.ctx)
        .await?;

    // Milestone 2, under way: the homepage design (second version) waits for Acme's approval.
    let design = seeder
        .milestone(
            priya,
            project.id,
            2,
            "Design",
            12,
            true,
            &[MilestoneStatus::InProgress],
        )
        .await?;
    let homepage = seeder
        .deliverable(
            priya,
            design.id,
            "Homepage design",
            5,
            true,
            &[DeliverableStatus::InProgress],
        )
        .await?;
    let (_, homepage_versions) = seeder
        .document(
            priya,
            client,
            Some(project.id),
            "Homepage design",
            true,
            vec![files::homepage_design(1), files::homepage_design(2)],
        )
        .await?;
    let latest = homepage_versions
        .last()
        .ok_or_else(|| anyhow::anyhow!("the homepage design has no version"))?;
    seeder
        .request_approval(
            priya,
            ApprovalRequest {
                deliverable: Some(homepage.id),
                document_version: latest.id,
                message: "Version 2 of the homepage design, with the changes from Tuesday's \
                          review. Please approve it, or tell us what to change."
                    .to_owned(),
                due_at: Some(Seeder::in_days(5)),
            },
        )
        .await?;
    seeder
        .deliverable(
            priya,
            design.id,
            "Brand style guide for the web",
            10,
            true,
            &[DeliverableStatus::InProgress],
        )
        .await?;
    seeder
        .document(
            priya,
            client,
            Some(project.id),
            "Brand guidelines",
            true,
            vec![files::brand_guidelines()],
        )
        .await?;

    // Milestone 3 ahead, and an internal one the client does not see.
    let build = seeder
        .milestone(priya, project.id, 3, "Build and launch", 42, true, &[])
        .await?;
    seeder
        .deliverable(
            priya,
            build.id,
            "CMS build and content migration",
            35,
            true,
            &[],
        )
        .await?;
    seeder
        .deliverable(priya, build.id, "Launch checklist", 40, false, &[])
        .await?;
    seeder
        .milestone(priya, project.id, 4, "Accessibility audit", 38, false, &[])
        .await?;

    seeder
        // Members cannot publish, but may file internal documents.
        .document(
            leo,
            client,
            Some(project.id),
            "Estimate and margin",
            false,
            vec![files::estimate()],
        )
        .await?;
    // A contact's upload is shared with the team as a matter of course.
    seeder
        .document(
            &sarah.scope,
            client,
            Some(project.id),
            "Photography shortlist",
            true,
            vec![files::photo_shortlist()],
        )
        .await?;

    seeder
        .update(
            priya,
            project.id,
            "Design under way: homepage ready for your review",
            "Discovery is signed off, thank you James. Version 2 of the homepage design is in \
             the portal for approval; it takes in everything from Tuesday's review.\n\n\
             **Next:** the web style guide this week, then the product and case-study templates.",
            true,
        )
        .await?;
    seeder
        .update(
            priya,
            project.id,
            "Launch date at risk if photography slips",
            "If Acme's product photography arrives after the 20th we lose a week in build. \
             Raise it gently at Thursday's call.",
            false,
        )
        .await?;
    seeder
        .decision(
            priya,
            project.id,
            "Build on a headless CMS",
            "Agreed in the discovery workshop: content lives in a headless CMS so Acme's \
             marketing team can publish without a developer. Hosting stays with Acme's IT.",
            18,
            true,
        )
        .await?;
    seeder
        .decision(
            priya,
            project.id,
            "Absorb the third revision round on the homepage",
            "Goodwill: we will not bill the extra homepage round. Keep it out of the client \
             update.",
            2,
            false,
        )
        .await?;

    seeder
        .task(
            priya,
            project.id,
            "Send final product photography",
            TaskOwner::Client,
            Some(sarah.id),
            6,
            true,
            false,
        )
        .await?;
    seeder
        .task(
            priya,
            project.id,
            "Set up the staging site",
            TaskOwner::Team,
            None,
            -3,
            true,
            true,
        )
        .await?;
    seeder
        .task(
            leo,
            project.id,
            "Check the stock photo licences",
            TaskOwner::Team,
            Some(people.get("leo@northwind.example")?.id),
            8,
            false,
            false,
        )
        .await?;

    let careers = seeder
        .request(
            &james.scope,
            client,
            Some(project.id),
            "Add a careers page",
            "HR would like a careers page with our open roles. Can it be part of the launch?",
        )
        .await?;
    let photos = seeder
        .request(
            &sarah.scope,
            client,
            Some(project.id),
            "Update team photos on the About page",
            "We have new team photos from last month's offsite; the current ones are from 2019.",
        )
        .await?;
    seeder
        .move_request(priya, &photos, RequestStatus::InProgress)
        .await?;

    let on_homepage = ThreadSubject::Deliverable(homepage.id);
    seeder
        .message(
            priya,
            on_homepage,
            "Version 2 is up: the product carousel now sits below the case studies and the hero \
             headline is shorter, as discussed on Tuesday.",
            true,
        )
        .await?;
    seeder
        .message(
            &james.scope,
            on_homepage,
            "Thanks Priya, I'll go through it with our marketing lead and sign off by Friday.",
            true,
        )
        .await?;
    seeder
        .message(
            leo,
            on_homepage,
            "If they ask for the old logo lock-up again, the files are in the archive folder.",
            false,
        )
        .await?;
    seeder
        .message(
            priya,
            ThreadSubject::Request(careers.id),
            "Good idea. We can fit a simple careers page into the build phase; do your open \
             roles live in a system we could pull them from?",
            true,
        )
        .await?;

    let invoice = |number: &str,
                   amount_minor: i64,
                   status: InvoiceStatus,
                   issued: Option<i64>,
                   due: Option<i64>,
                   note: Option<&str>|
     -> anyhow::Result<InvoiceInput> {
        Ok(InvoiceInput {
            client,
            project: Some(project.id),
            number: number.to_owned(),
            amount: Money::new(amount_minor, usd),
            status,
            issued_on: issued.map(|days| seeder.day(days)),
            due_on: due.map(|days| seeder.day(days)),
            payment_url: match status {
                InvoiceStatus::Open => Some(HttpsUrl::parse(&format!(
                    "https://pay.northwind.example/invoices/{number}"
                ))?),
                _ => None,
            },
            internal_note: note.map(str::to_owned),
            external_id: Some(format!("billing-{number}")),
        })
    };
    let deposit = invoice(
        "NW-2041",
        1_440_000,
        InvoiceStatus::Paid,
        Some(-42),
        Some(-12),
        None,
    )?;
    let design_phase = invoice(
        "NW-2057",
        1_920_000,
        InvoiceStatus::Open,
        Some(-4),
        Some(26),
        None,
    )?;
    let launch = invoice(
        "NW-2063",
        1_440_000,
        InvoiceStatus::Draft,
        None,
        None,
        Some("Send after launch sign-off."),
    )?;
    for input in [deposit, design_phase, launch] {
        seeder.invoice(tom, input).await?;
    }
    Ok(())
}
