//! Globex: a product-launch campaign in production, billed in euros, with an overdue invoice.

use portal_core::model::{InvoiceInput, ProjectInput, ProjectStatus, TaskOwner, ThreadSubject};
use portal_core::state::{DeliverableStatus, InvoiceStatus, MilestoneStatus};
use portal_core::{Currency, DateRange, HttpsUrl, Money};

use super::files;
use super::people::People;
use super::seeder::{Seeder, name};

pub(super) async fn seed(seeder: &mut Seeder<'_>, people: &People) -> anyhow::Result<()> {
    let priya = &people.get("priya@northwind.example")?.scope;
    let tom = &people.get("tom@northwind.example")?.scope;
    let elena = people.get("elena@globex.example")?;
    let marcus = people.get("marcus@globex.example")?;
    let client = people.globex;
    let eur = Currency::parse("EUR")?;

    let project = seeder
        .project(
            priya,
            ProjectInput {
                client,
                name: name("Q3 product launch campaign")?,
                description: "Launch of the HX-2 heat exchanger in DACH and the UK: campaign \
                              strategy, creative, paid media and a launch webinar."
                    .to_owned(),
                status: ProjectStatus::Active,
                schedule: Some(DateRange::new(seeder.day(-28), seeder.day(56))?),
                budget: Some(Money::new(2_850_000, eur)),
                external_id: Some("pm-globex-q3".to_owned()),
            },
            true,
        )
        .await?;

    seeder
        .milestone(
            priya,
            project.id,
            1,
            "Campaign strategy",
            -10,
            true,
            &[MilestoneStatus::InProgress, MilestoneStatus::Completed],
        )
        .await?;
    let production = seeder
        .milestone(
            priya,
            project.id,
            2,
            "Creative production",
            20,
            true,
            &[MilestoneStatus::InProgress],
        )
        .await?;
    seeder
        .deliverable(
            priya,
            production.id,
            "Key visual",
            9,
            true,
            &[DeliverableStatus::InProgress],
        )
        .await?;
    seeder
        .deliverable(
            priya,
            production.id,
            "Launch video storyboard",
            16,
            true,
            &[],
        )
        .await?;
    let launch = seeder
        .milestone(priya, project.id, 3, "Launch and reporting", 50, true, &[])
        .await?;
    seeder
        .deliverable(
            priya,
            launch.id,
            "Eight-week performance report",
            56,
            true,
            &[],
        )
        .await?;

    seeder
        .document(
            priya,
            client,
            Some(project.id),
            "Campaign brief",
            true,
            vec![files::campaign_brief()],
        )
        .await?;
    seeder
        .document(
            priya,
            client,
            Some(project.id),
            "Media plan",
            true,
            vec![files::media_plan()],
        )
        .await?;

    seeder
        .update(
            priya,
            project.id,
            "Kick-off recap",
            "Thanks for a productive kick-off. The brief and the media plan are in Documents.\n\n\
             **This week:** two creative routes for the key visual. **Needed from you:** the \
             final media budget split by Friday.",
            true,
        )
        .await?;
    seeder
        .decision(
            priya,
            project.id,
            "Focus paid media on LinkedIn and trade press",
            "Agreed at kick-off: no programmatic display in this launch. LinkedIn and two trade \
             titles reach plant engineers at a fraction of the cost.",
            8,
            true,
        )
        .await?;
    seeder
        .task(
            priya,
            project.id,
            "Confirm the media budget split",
            TaskOwner::Client,
            Some(elena.id),
            3,
            true,
            false,
        )
        .await?;
    seeder
        .request(
            &elena.scope,
            client,
            Some(project.id),
            "German version of the landing page",
            "Our DACH sales team asks for a German landing page at launch. What would it add to \
             the timeline?",
        )
        .await?;

    let on_project = ThreadSubject::Project(project.id);
    seeder
        .message(
            &marcus.scope,
            on_project,
            "Could we see two options for the key visual before the shoot is booked?",
            true,
        )
        .await?;
    seeder
        .message(
            priya,
            on_project,
            "Yes: two routes are coming on Wednesday, each with a LinkedIn and a print crop.",
            true,
        )
        .await?;

    let overdue = InvoiceInput {
        client,
        project: Some(project.id),
        number: "NW-2049".to_owned(),
        amount: Money::new(950_000, eur),
        status: InvoiceStatus::Open,
        issued_on: Some(seeder.day(-40)),
        due_on: Some(seeder.day(-10)),
        payment_url: Some(HttpsUrl::parse(
            "https://pay.northwind.example/invoices/NW-2049",
        )?),
        internal_note: Some("Reminder sent; Elena says it is with their AP team.".to_owned()),
        external_id: Some("billing-NW-2049".to_owned()),
    };
    seeder.invoice(tom, overdue).await?;
    Ok(())
}
