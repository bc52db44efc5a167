from django.urls import path

from shopops.campaigns import views, views_analytics

app_name = "campaigns"

urlpatterns = [
    path("", views.plans, name="plans"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan"),
    path("plans/<int:plan_id>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:plan_id>/status/", views.plan_transition, name="plan_transition"),
    path("plans/<int:plan_id>/phases/", views.phase_add, name="phase_add"),
    path("plans/<int:plan_id>/phases/<int:phase_id>/delete/", views.phase_delete, name="phase_delete"),
    path("plans/<int:plan_id>/budget/", views.budget_add, name="budget_add"),
    path("plans/<int:plan_id>/budget/<int:line_id>/delete/", views.budget_delete, name="budget_delete"),
    path("plans/<int:plan_id>/promotions/", views.promotion_attach, name="promotion_attach"),
    path("plans/<int:plan_id>/tasks/generate/", views.tasks_generate, name="tasks_generate"),
    path("plans/<int:plan_id>/review/", views.review_notes, name="review_notes"),
    path("plans/<int:plan_id>/live/", views_analytics.plan_live, name="plan_live"),
    path("plans/<int:plan_id>/retro/", views_analytics.plan_retro, name="plan_retro"),
    path("plans/<int:plan_id>/retro/findings/", views_analytics.retro_finding_link, name="retro_finding_link"),
    path("plans/<int:plan_id>/retro/findings/<int:finding_id>/unlink/", views_analytics.retro_finding_unlink,
         name="retro_finding_unlink"),
    path("plans/<int:plan_id>/retro.pdf", views_analytics.plan_retro_pdf, name="plan_retro_pdf"),
    path("tasks/", views.board, name="board"),
    path("tasks/timeline/", views.timeline, name="timeline"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:task_id>/", views.task_detail, name="task"),
    path("tasks/<int:task_id>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:task_id>/status/", views.task_status, name="task_status"),
    path("tasks/<int:task_id>/dependencies/", views.task_dependency, name="task_dependency"),
    path("tasks/<int:task_id>/comments/", views.task_comment, name="task_comment"),
    path("tasks/<int:task_id>/attachments/", views.task_attachment, name="task_attachment"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/holidays/", views.holidays, name="holidays"),
    path("content/", views.content, name="content"),
    path("content/save/", views.content_save, name="content_save"),
    path("content/import/", views.content_import, name="content_import"),
    path("scorecards/", views.scorecards, name="scorecards"),
]
