package web

import (
	"io/fs"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/debrief-dev/debrief/internal/model"
	assets "github.com/debrief-dev/debrief/web"
)

// routes is the whole route table. Each group declares the least role its
// routes need: viewers read and export, editors change the record, admins
// manage accounts. Anonymous users reach only the public group.
func (s *Server) routes() {
	e := s.echo
	e.Pre(s.recoverer())
	e.Use(s.observe(), s.requestID(), s.requestLog(), s.bodyLimit(), s.securityHeaders(),
		s.sessionMiddleware(), s.authenticate(), s.csrf(), s.validInput(), etag())

	static, _ := fs.Sub(assets.FS, ".")
	public := group{s: s}
	public.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", staticHandler(static))))
	public.GET("/favicon.ico", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/static/img/favicon.svg") })
	public.GET("/healthz", s.healthz)
	public.GET("/metrics", s.metricsShow) // Prometheus: its own check, an address or a token
	public.GET("/login", s.loginForm)
	public.POST("/login", s.login)
	public.POST("/logout", s.logout)
	public.GET("/setup/:token", s.setupForm)
	public.POST("/setup/:token", s.setup)
	public.GET("/auth/oidc/login", s.oidcLogin) // single sign-on (404 unless configured)
	public.GET("/auth/oidc/callback", s.oidcCallback)
	// The chat bridge: chat tools post here, signed (Slack) or with the
	// incident's webhook token in the path.
	public.POST("/integrations/slack/commands", s.slackCommand)
	public.POST("/integrations/slack/interactions", s.slackInteraction)
	public.POST("/integrations/chat/:token", s.chatWebhook)
	// Changes from CI: GitHub's signed deliveries, and the generic JSON
	// with the changes token or an editor's API token.
	public.POST("/integrations/github", s.githubWebhook)
	public.POST("/integrations/changes", s.changesWebhook)

	viewer := group{s: s, role: model.RoleViewer}
	viewer.GET("/", func(c echo.Context) error { return c.Redirect(http.StatusFound, "/incidents") })
	viewer.GET("/incidents", s.incidentList)
	viewer.GET("/incidents/:id", s.incidentShow)
	viewer.GET("/incidents/:id/history", s.incidentHistory)
	viewer.GET("/incidents/:id/events", s.incidentEvents) // Server-Sent Events: the live room
	viewer.GET("/incidents/:id/postmortem", s.postmortemShow)
	viewer.GET("/incidents/:id/postmortem.md", s.postmortemMarkdown)
	viewer.GET("/incidents/:id/postmortem/revisions", s.postmortemRevisions)
	viewer.GET("/export.zip", s.exportZip)
	viewer.GET("/incidents/:id/whys/:whyID/diagram.svg", s.whyDiagram)
	viewer.GET("/actions", s.actionList)
	viewer.GET("/services", s.serviceList)
	viewer.GET("/services/:service", s.serviceShow)
	viewer.GET("/search", s.searchShow)
	viewer.GET("/archive", s.archiveShow)
	// Atom feeds: a feed reader signs in with a feed key in the URL (see
	// feedUser; the key opens these two routes and nothing else).
	viewer.GET("/archive.atom", s.archiveFeed)
	viewer.GET("/incidents.atom", s.incidentsFeed)
	viewer.GET("/time-preview", s.timePreview)
	viewer.POST("/lint-preview", s.lintPreview) // reads only: checks text, writes nothing
	viewer.GET("/settings", s.settings)
	viewer.GET("/docs/api", s.apiDocsShow) // the API's OpenAPI document, readable
	viewer.POST("/settings/password", s.passwordChange)
	viewer.POST("/settings/tokens", s.tokenCreate)
	viewer.POST("/settings/tokens/:tokenID/revoke", s.tokenRevoke)
	viewer.POST("/settings/reminders", s.reminderSave)
	viewer.POST("/settings/feed-keys", s.feedKeyCreate)
	viewer.POST("/settings/feed-keys/:keyID/revoke", s.feedKeyRevoke)

	editor := group{s: s, role: model.RoleEditor}
	editor.GET("/incidents/new", s.incidentNew)
	editor.POST("/incidents", s.incidentCreate)
	editor.GET("/incidents/:id/edit", s.incidentEdit)
	editor.POST("/incidents/:id/edit", s.incidentUpdate)
	editor.POST("/incidents/:id/status", s.incidentStatus)
	editor.POST("/incidents/:id/timeline", s.timelineAppend)
	editor.GET("/incidents/:id/timeline/:entryID/edit", s.timelineEdit)
	editor.POST("/incidents/:id/timeline/:entryID/edit", s.timelineUpdate)
	editor.POST("/incidents/:id/timeline/:entryID/delete", s.timelineDelete)
	editor.GET("/incidents/:id/transcript", s.transcriptForm)
	editor.POST("/incidents/:id/transcript", s.transcriptPost)
	editor.POST("/incidents/:id/chat-tokens", s.chatTokenCreate)
	editor.POST("/incidents/:id/chat-tokens/:tokenID/revoke", s.chatTokenRevoke)
	editor.POST("/incidents/:id/changes", s.changeLinkForm)
	editor.POST("/services/:service", s.serviceUpdate)
	editor.POST("/incidents/:id/changes/:changeID/unlink", s.changeUnlinkForm)
	editor.POST("/incidents/:id/factors", s.factorCreate)
	editor.POST("/incidents/:id/factors/:factorID/edit", s.factorUpdate)
	editor.POST("/incidents/:id/factors/:factorID/move", s.factorMove)
	editor.POST("/incidents/:id/factors/:factorID/delete", s.factorDelete)
	editor.POST("/incidents/:id/whys", s.whyCreate)
	editor.GET("/incidents/:id/whys/:whyID/edit", s.whyEdit)
	editor.POST("/incidents/:id/whys/:whyID/edit", s.whyUpdate)
	editor.POST("/incidents/:id/whys/:whyID/move", s.whyMove)
	editor.POST("/incidents/:id/whys/:whyID/promote", s.whyPromote)
	editor.POST("/incidents/:id/whys/:whyID/delete", s.whyDelete)
	editor.GET("/incidents/:id/actions/new", s.actionNew)
	editor.POST("/incidents/:id/actions", s.actionCreate)
	editor.GET("/incidents/:id/actions/:actionID/edit", s.actionEdit)
	editor.POST("/incidents/:id/actions/:actionID/edit", s.actionUpdate)
	editor.POST("/incidents/:id/actions/:actionID/delete", s.actionDelete)
	editor.GET("/import", s.importForm)
	editor.POST("/import", s.importUpload)
	editor.GET("/incidents/:id/postmortem/edit", s.postmortemEdit)
	editor.POST("/incidents/:id/postmortem/sections", s.postmortemSections) // the editor: every changed section
	editor.POST("/incidents/:id/postmortem/sections/:key", s.postmortemSection)
	editor.POST("/incidents/:id/postmortem/preview", s.postmortemPreview) // reads only: renders Markdown
	editor.POST("/incidents/:id/postmortem/people", s.postmortemPeople)
	editor.POST("/incidents/:id/postmortem/status", s.postmortemStatus)
	editor.POST("/incidents/:id/postmortem/publish", s.postmortemPublish)
	editor.POST("/incidents/:id/postmortem/acknowledge", s.postmortemAcknowledge)

	admin := group{s: s, role: model.RoleAdmin}
	admin.GET("/admin/users", s.userList)
	admin.POST("/admin/users", s.userCreate)
	admin.POST("/admin/users/:userID", s.userUpdate)
	admin.GET("/admin/tokens", s.tokenListAll)
	admin.POST("/admin/tokens/:tokenID/revoke", s.tokenRevokeAny)
	admin.GET("/admin/audit", s.auditList)
	admin.GET("/admin/severities", s.severityList)
	admin.POST("/admin/severities", s.severitySave)
	admin.POST("/admin/severities/:name", s.severitySave)
	admin.POST("/admin/severities/:name/delete", s.severityDelete)
	admin.GET("/admin/webhooks", s.webhookList)
	admin.POST("/admin/webhooks", s.webhookCreate)
	admin.GET("/admin/webhooks/:webhookID", s.webhookShow)
	admin.POST("/admin/webhooks/:webhookID/active", s.webhookActive)
	admin.POST("/admin/webhooks/:webhookID/delete", s.webhookDelete)
	admin.POST("/admin/webhooks/:webhookID/deliveries/:deliveryID/redeliver", s.webhookRedeliver)
	admin.GET("/admin/categories", s.categoryList)
	admin.POST("/admin/categories", s.categorySave)
	admin.POST("/admin/categories/:category", s.categorySave)
	admin.POST("/admin/categories/:category/delete", s.categoryDelete)

	apiViewer := group{s: s, role: model.RoleViewer}
	apiViewer.GET("/api/v1/openapi.json", s.apiOpenAPI) // the API described (openapi.go)
	apiViewer.GET("/api/v1/severities", s.apiSeverities)
	apiViewer.GET("/api/v1/incidents", s.apiIncidentList)
	apiViewer.GET("/api/v1/incidents/:id", s.apiIncidentShow)
	apiViewer.GET("/api/v1/incidents/:id/timeline", s.apiTimelineList)
	apiViewer.GET("/api/v1/incidents/:id/timeline/:entryID", s.apiTimelineShow)
	apiViewer.GET("/api/v1/incidents/:id/history", s.apiIncidentHistory)
	apiViewer.POST("/api/v1/lint", s.apiLint) // reads only: checks text, writes nothing
	apiViewer.GET("/api/v1/factor-categories", s.apiFactorCategories)
	apiViewer.GET("/api/v1/incidents/:id/factors", s.apiFactorList)
	apiViewer.GET("/api/v1/incidents/:id/factors/:factorID", s.apiFactorShow)
	apiViewer.GET("/api/v1/incidents/:id/whys", s.apiWhyList)
	apiViewer.GET("/api/v1/incidents/:id/whys/:whyID", s.apiWhyShow)
	apiViewer.GET("/api/v1/incidents/:id/actions", s.apiIncidentActions)
	apiViewer.GET("/api/v1/incidents/:id/actions/:actionID", s.apiActionShow)
	apiViewer.GET("/api/v1/actions", s.apiActionList)
	apiViewer.GET("/api/v1/search", s.apiSearch)
	apiViewer.GET("/api/v1/incidents/:id/similar", s.apiSimilar)
	apiViewer.GET("/api/v1/incidents/:id/postmortem", s.apiPostmortemShow)
	apiViewer.GET("/api/v1/changes", s.apiChangeList)
	apiViewer.GET("/api/v1/services", s.apiServiceList)
	apiViewer.GET("/api/v1/services/:service", s.apiServiceShow)
	apiViewer.GET("/api/v1/services/:service/error-budget", s.apiErrorBudget)
	apiViewer.GET("/api/v1/changes/:changeID", s.apiChangeShow)
	apiViewer.GET("/api/v1/incidents/:id/suspect-changes", s.apiSuspectChanges)
	apiViewer.GET("/api/v1/incidents/:id/changes", s.apiIncidentChanges)
	apiViewer.GET("/api/v1/incidents/:id/postmortem/revisions", s.apiRevisionList)
	apiViewer.GET("/api/v1/incidents/:id/postmortem/revisions/:n", s.apiRevisionShow)

	apiEditor := group{s: s, role: model.RoleEditor}
	apiEditor.POST("/api/v1/incidents", s.apiIncidentCreate)
	apiEditor.PATCH("/api/v1/incidents/:id", s.apiIncidentUpdate)
	apiEditor.POST("/api/v1/incidents/:id/timeline", s.apiTimelineAppend)
	apiEditor.POST("/api/v1/incidents/:id/transcript", s.apiTranscript)
	apiEditor.PATCH("/api/v1/incidents/:id/timeline/:entryID", s.apiTimelineUpdate)
	apiEditor.DELETE("/api/v1/incidents/:id/timeline/:entryID", s.apiTimelineDelete)
	apiEditor.POST("/api/v1/incidents/:id/factors", s.apiFactorCreate)
	apiEditor.PATCH("/api/v1/incidents/:id/factors/:factorID", s.apiFactorUpdate)
	apiEditor.DELETE("/api/v1/incidents/:id/factors/:factorID", s.apiFactorDelete)
	apiEditor.POST("/api/v1/incidents/:id/whys", s.apiWhyCreate)
	apiEditor.PATCH("/api/v1/incidents/:id/whys/:whyID", s.apiWhyUpdate)
	apiEditor.DELETE("/api/v1/incidents/:id/whys/:whyID", s.apiWhyDelete)
	apiEditor.POST("/api/v1/incidents/:id/whys/:whyID/promote", s.apiWhyPromote)
	apiEditor.POST("/api/v1/incidents/:id/actions", s.apiActionCreate)
	apiEditor.PATCH("/api/v1/incidents/:id/actions/:actionID", s.apiActionUpdate)
	apiEditor.DELETE("/api/v1/incidents/:id/actions/:actionID", s.apiActionDelete)
	apiEditor.POST("/api/v1/import", s.apiImport)
	apiEditor.POST("/api/v1/changes", s.apiChangeCreate)
	apiEditor.PUT("/api/v1/services/:service", s.apiServiceSave)
	apiEditor.POST("/api/v1/incidents/:id/changes", s.apiChangeLink)
	apiEditor.DELETE("/api/v1/incidents/:id/changes/:changeID", s.apiChangeUnlink)
	apiEditor.PUT("/api/v1/incidents/:id/postmortem", s.apiPostmortemSave)
	apiEditor.POST("/api/v1/incidents/:id/postmortem/submit", s.apiPostmortemSubmit)
	apiEditor.POST("/api/v1/incidents/:id/postmortem/draft", s.apiPostmortemDraft)
	apiEditor.POST("/api/v1/incidents/:id/postmortem/publish", s.apiPostmortemPublish)
	apiEditor.POST("/api/v1/incidents/:id/postmortem/acknowledgements", s.apiPostmortemAcknowledge)

	apiAdmin := group{s: s, role: model.RoleAdmin}
	apiAdmin.POST("/api/v1/webhooks", s.apiWebhookCreate)
	apiAdmin.GET("/api/v1/webhooks", s.apiWebhookList)
	apiAdmin.GET("/api/v1/webhooks/:webhookID", s.apiWebhookShow)
	apiAdmin.PATCH("/api/v1/webhooks/:webhookID", s.apiWebhookUpdate)
	apiAdmin.DELETE("/api/v1/webhooks/:webhookID", s.apiWebhookDelete)
	apiAdmin.GET("/api/v1/webhooks/:webhookID/deliveries", s.apiDeliveries)
	apiAdmin.POST("/api/v1/webhooks/:webhookID/deliveries/:deliveryID/redeliver", s.apiRedeliver)
	apiAdmin.POST("/api/v1/admin/backup", s.apiBackup)

	// The weekly review: viewers read it and its minutes, editors keep the
	// minutes. /review/:week is "2026-W47.md" (the minutes as Markdown) or
	// "2026-W47" (sent to that week's page).
	viewer.GET("/review", s.reviewShow)
	viewer.GET("/review/:week", s.reviewWeek)
	editor.POST("/review/:week/minutes", s.minutesSave)
	apiViewer.GET("/api/v1/review", s.apiReview)
	apiViewer.GET("/api/v1/review/:week/minutes", s.apiMinutes)
	apiEditor.PUT("/api/v1/review/:week/minutes", s.apiMinutesSave)

	// Unknown API paths answer JSON 404 (after authentication, so the
	// API's shape is not revealed to anonymous callers).
	e.Any("/api/*", func(echo.Context) error { return echo.ErrNotFound }, s.require(model.RoleViewer))
}
