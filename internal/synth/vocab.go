package synth

// The vocabulary of the generated archive. The failure modes and their
// phrases are paraphrased from public postmortems (the Google SRE book's
// examples, GitHub, Cloudflare, Slack, Atlassian, GitLab, AWS and Azure
// incident reports, danluu/post-mortems) and from the incident language of
// on-call work: the words people really search for. Every phrase is
// blameless; the lint rules (internal/lint) find nothing in them, which the
// tests check.
//
// A template holds slots in braces, filled per incident (see expand):
//
//	{svc} {svc2} {dep}   the incident's main service, another of its services, a dependency
//	{host} {host2}       hosts of the incident (db-prod-17, k8s-node-eu-west-1-042, ...)
//	{region} {az}        its region and an availability zone
//	{err} {code} {cfg}   an error message, an error code and a configuration key of the failure mode
//	{alert} {metric}     an alert name and a metric name
//	{seg} {team} {vendor} a customer segment, a team, a vendor
//	{person}             one of the responders
//	{n} {big} {pct} {ms} {min} {ver} {sha} {build} {ticket} {pr} {tech}
//	                     numbers, versions, commit hashes, tickets, a technical word

// services are the service names, most incident-prone first (the picker
// skews towards the front of the list).
var services = []string{
	"payments-api", "checkout-web", "auth-service", "api-gateway", "kafka-cluster-eu",
	"orders-service", "postgres-primary", "search-api", "notifications-service", "cdn-edge",
	"user-profile-service", "inventory-service", "billing-worker", "mobile-backend", "redis-cache",
	"identity-provider", "kafka-cluster-us", "email-delivery", "webhooks-dispatcher", "pricing-engine",
	"cart-service", "session-store", "graphql-gateway", "recommendations-api", "fraud-detection",
	"ledger-service", "ingest-pipeline", "metrics-pipeline", "log-shipper", "dns-resolvers",
	"load-balancer-eu", "load-balancer-us", "object-storage", "image-resizer", "video-transcoder",
	"shipping-service", "tax-calculator", "subscription-service", "invoice-generator", "refunds-service",
	"merchant-portal", "admin-console", "partner-api", "public-api", "rate-limiter",
	"feature-flags", "config-service", "service-mesh", "k8s-control-plane", "ci-runners",
	"artifact-registry", "deploy-pipeline", "secrets-manager", "vault-cluster", "etcd-cluster",
	"elasticsearch-logs", "elasticsearch-search", "clickhouse-analytics", "data-warehouse", "etl-scheduler",
	"airflow", "spark-batch", "ml-serving", "feature-store", "experimentation-service",
	"push-gateway", "sms-gateway", "chat-service", "presence-service", "realtime-websocket",
	"file-upload-service", "document-service", "pdf-renderer", "reporting-api", "export-worker",
	"catalog-service", "product-api", "reviews-service", "loyalty-service", "coupon-service",
	"address-validation", "geo-service", "maps-tiles", "routing-engine", "eta-service",
	"driver-app-backend", "rider-app-backend", "dispatch-service", "booking-service", "availability-api",
	"calendar-sync", "oauth-proxy", "sso-bridge", "ldap-sync", "scim-provisioner",
	"audit-log-service", "compliance-exporter", "backup-service", "snapshot-controller", "disaster-recovery",
	"mysql-orders", "mysql-users", "cassandra-events", "mongodb-catalog", "memcached-fleet",
	"rabbitmq-cluster", "sqs-consumers", "pubsub-bridge", "nats-cluster", "zookeeper-ensemble",
	"haproxy-edge", "nginx-ingress", "envoy-sidecars", "istio-control", "consul-cluster",
	"prometheus", "alertmanager", "grafana", "tracing-collector", "status-page",
	"support-desk-integration", "crm-sync", "marketing-email", "analytics-sdk-ingest", "clickstream-collector",
	"android-app", "ios-app", "web-frontend", "storefront-ssr", "static-assets",
	"account-service", "kyc-service", "payouts-service", "fx-rates", "card-tokenizer",
	"3ds-service", "settlement-batch", "reconciliation-job", "ach-gateway", "sepa-gateway",
	"search-indexer", "autocomplete-api", "translation-service", "content-moderation", "media-cdn",
	"license-server", "tenant-router", "provisioning-api", "quota-service", "usage-metering",
}

var regions = []string{"us-east-1", "eu-west-1", "us-west-2", "eu-central-1", "ap-southeast-2", "ap-northeast-1", "us-east-2", "eu-north-1", "sa-east-1", "ap-south-1"}

var firstNames = []string{
	"Priya", "Sam", "Dana", "Luis", "Ana", "Jon", "Lena", "Tom", "Jin", "Maya", "Omar", "Chloé", "Kenji", "Fatima",
	"Noah", "Ines", "Wei", "Sofia", "Mateo", "Aisha", "Lukas", "Emma", "Ravi", "Hannah", "Diego", "Yuki", "Oren",
	"Zara", "Felix", "Amara", "Ilya", "Grace", "Tariq", "Nina", "Bruno", "Keiko", "Marcus", "Leila", "Arjun",
	"Sara", "Pablo", "Ingrid", "Kwame", "Elif", "Jonas", "Mei", "Andrés", "Olga", "Theo", "Rosa", "Hiro",
	"Nadia", "Erik", "Camille", "Dev", "Lucia", "Femi", "Astrid", "Viktor", "Noor",
}

var lastNames = []string{
	"Nair", "Lee", "Kim", "Ortega", "Costa", "Berg", "Ortiz", "Becker", "Park", "Raman", "Okafor", "Haddad",
	"Tanaka", "Schmidt", "Novak", "Silva", "Chen", "Rossi", "García", "Khan", "Müller", "Dubois", "Iyer",
	"Cohen", "Alvarez", "Sato", "Levi", "Mensah", "Larsen", "Popescu", "Yilmaz", "Kowalski", "Nguyen", "Adeyemi",
	"Fischer", "Moreau", "Santos", "Ivanova", "Brennan", "Lindqvist", "Das", "Wójcik", "Hassan", "Jensen",
	"Ferreira", "Aziz", "Hoffmann", "Petrov", "Quinn", "Romero", "Varga", "Ito", "Walsh", "Zhou", "Eriksen",
	"Bianchi", "Mukherjee", "Oyelaran", "Falk", "Reyes",
}

var teams = []string{
	"sre", "payments", "platform", "data-infra", "identity", "checkout", "core-api", "storage", "networking",
	"mobile", "growth", "search", "messaging", "billing", "security", "developer-productivity", "observability",
	"database-reliability", "edge", "risk", "support-engineering", "logistics", "catalog", "ml-platform",
}

var segments = []string{
	"enterprise customers", "free-tier users", "merchants on the v1 API", "iOS app users", "Android app users",
	"customers in the EU", "customers in North America", "customers in APAC", "new sign-ups", "partners using webhooks",
	"marketplace sellers", "drivers on the latest app version", "SSO tenants", "API clients with long-lived tokens",
	"customers paying by card", "customers paying by SEPA direct debit", "self-serve customers", "internal users",
	"premium subscribers", "customers with more than 10k seats", "guest checkouts", "batch export users",
}

var vendors = []string{
	"our payment processor", "the upstream DNS provider", "the CDN vendor", "the SMS provider", "the email provider",
	"the cloud provider", "the identity provider", "the transit provider", "the managed Kafka vendor",
	"the certificate authority", "the paging vendor", "the observability vendor", "Stripe", "Adyen", "Twilio",
	"SendGrid", "Cloudflare", "Fastly", "Akamai", "Okta", "Auth0", "PagerDuty", "Datadog", "GitHub", "Let's Encrypt",
}

// techWords are rarer technical words for the long tail of the vocabulary.
var techWords = []string{
	"idempotency", "backpressure", "head-of-line blocking", "jitter", "exponential backoff", "circuit breaker",
	"bulkhead", "write amplification", "tombstones", "compaction", "vacuum", "autovacuum", "WAL", "fsync",
	"checkpoint", "page cache", "inode exhaustion", "ephemeral ports", "SYN backlog", "conntrack table",
	"TIME_WAIT", "keepalive", "Nagle", "MTU", "fragmentation", "ECMP", "anycast", "BGP session", "route leak",
	"split brain", "quorum", "leader election", "raft", "paxos", "gossip", "vector clocks", "clock skew", "NTP",
	"leap second", "TTL", "negative caching", "SERVFAIL", "NXDOMAIN", "resolv.conf", "ndots", "SNI", "OCSP stapling",
	"intermediate certificate", "mTLS", "cipher suite", "HSTS", "CORS", "CSRF", "JWT", "JWKS rotation", "SAML",
	"OIDC", "refresh tokens", "cgroups", "OOMKilled", "CrashLoopBackOff", "liveness probe", "readiness probe",
	"PodDisruptionBudget", "HPA", "cluster autoscaler", "node drain", "taints", "kube-proxy", "CoreDNS", "iptables",
	"eBPF", "sidecar injection", "envoy", "xDS", "gRPC deadlines", "HTTP/2 streams", "connection draining",
	"graceful shutdown", "SIGTERM", "preStop hook", "blue-green", "canary analysis", "dark launch", "kill switch",
	"feature flag", "config drift", "Terraform state", "Helm chart", "Ansible", "golden image", "AMI", "spot instances",
	"reserved capacity", "IOPS", "burst credits", "gp2 volumes", "EBS", "RAID controller", "ECC errors", "firmware",
	"NIC", "top-of-rack switch", "fibre cut", "power distribution unit", "UPS", "cooling", "hypervisor",
	"noisy neighbour", "CPU steal", "GC pauses", "heap dump", "thread pool", "goroutine leak", "file descriptors",
	"ulimit", "mmap", "swap", "hot partition", "hot key", "shard rebalancing", "resharding", "consistent hashing",
	"read replicas", "replication slot", "logical decoding", "binlog", "GTID", "schema migration", "online DDL",
	"table lock", "lock contention", "long-running transaction", "query planner", "missing index", "sequential scan",
	"N+1 queries", "ORM", "prepared statements", "connection storm", "pgbouncer", "ProxySQL", "cache invalidation",
	"cache warming", "write-through", "eviction policy", "LRU", "dogpile", "request coalescing", "retry budget",
	"rate limiter", "token bucket", "load shedding", "admission control", "priority queue", "dead letter queue",
	"poison message", "consumer lag", "offset reset", "rebalance", "exactly-once", "at-least-once", "outbox pattern",
	"saga", "two-phase commit", "cron", "time zones", "DST transition", "epoch", "Y2038", "integer overflow",
	"off-by-one", "race condition", "deadlock", "livelock", "memory leak", "regex backtracking", "unicode normalization",
	"serialization format", "protobuf", "backward compatibility", "API versioning", "deprecation", "SLO", "error budget",
	"burn rate", "SLI", "runbook", "playbook", "escalation policy", "on-call rotation", "handover", "status page",
	"war room", "incident bridge", "comms lead", "game day", "chaos experiment", "load test", "capacity plan",
}

// The generic texts of a timeline, by kind, and of the narrative sections.
var (
	alertTexts = []string{
		"PagerDuty: `{alert}` fired for {svc} ({n} pages so far).",
		"Alertmanager: `{alert}` firing in {region}; {metric} above threshold for 5m.",
		"`{alert}` paged the {team} on-call rotation.",
		"Synthetic check `{svc}-smoke-{region}` failing from {n} locations.",
		"SLO burn-rate alert: {svc} is burning its error budget at {n}x.",
		"Datadog monitor `{svc} {metric}` triggered; p99 at {ms} ms.",
		"Customer support escalated {n} tickets mentioning {svc} ({ticket}).",
		"Error tracker shows a new issue on {svc}: `{err}` ({big} events in 10 minutes).",
		"`{alert}` re-fired after a brief recovery.",
		"Pingdom: {svc} health endpoint returning {code}.",
	}
	observationTexts = []string{
		"Grafana shows **p99 latency** on `{svc}` at {ms}ms (baseline {n}0ms); see the [dashboard]({dash}).",
		"Logs on {host} are full of `{err}`.",
		"{metric} for {svc} dropped by {pct} within two minutes of the change.",
		"Error rate on {svc} at {pct}; most failures are `{code}`.",
		"Only {region} is affected; {svc} in other regions looks healthy.",
		"{host} shows CPU at {pct} and load average above {n}.",
		"Traces show requests from {svc} waiting on {dep} for {ms} ms.",
		"Queue depth on {svc} at {big} messages and growing.",
		"The {tech} on {host} looks suspicious; {person} is checking.",
		"No deploys to {svc} in the last {n} hours; looking at config and dependencies.",
		"{seg} are the most affected; {big} requests failed so far.",
		"Connections from {svc} to {dep} are being reset (`{code}`).",
		"Memory on {host} climbing steadily; {n} containers restarted in the last 15 minutes.",
		"Dashboards for {dep} look normal, so the problem is likely between {svc} and {dep}.",
		"`kubectl get pods -n {svc}` shows {n} pods in CrashLoopBackOff.",
		"Status page of {vendor} reports degraded performance in {region}.",
		"Checked the runbook for {alert}; step {n} does not apply to this setup.",
		"Replica {host2} is {n} seconds behind the primary.",
	}
	actionTexts = []string{
		"Rolled back `{svc}` to {ver}:\n\n```\nkubectl rollout undo deployment/{svc} -n prod\n```",
		"Scaled {svc} from {n} to {n2} replicas.",
		"Drained {host} and removed it from the pool.",
		"Restarted {svc} pods in {region} one availability zone at a time.",
		"Failed over {dep} to the standby in {az}.",
		"Disabled the `{flag}` feature flag for all tenants.",
		"Raised `{cfg}` on {svc} from {n} to {n2} as a stopgap.",
		"Blocked the offending client at the edge ({ticket}).",
		"Shifted traffic away from {region} using the global load balancer.",
		"Paused the consumers of `{svc}-events` to let {dep} recover.",
		"Cleared the stuck lock on {host}.",
		"Opened a case with {vendor} ({ticket}).",
		"Ran the runbook step to purge the cache for {svc}.",
		"Killed the long-running query on {host} (pid {big}).",
		"Re-enabled health checks after the pool recovered.",
	}
	decisionTexts = []string{
		"Decision: roll back rather than roll forward; the fix is not tested yet.",
		"Decision: keep {svc} in read-only mode until replication lag is under {n} s.",
		"Decision: page {team} to join the bridge.",
		"Decision: declare {sev} given the impact on {seg}.",
		"Decision: freeze deploys to {svc} until the incident is resolved.",
		"Decision: accept degraded {svc} search results to protect checkout.",
		"Decision: do not fail over yet; the standby in {az} has the same configuration.",
		"Decision: communicate to {seg} directly through their account managers.",
		"Decision: hand over incident command to {person} for the next shift.",
		"Decision: leave the circuit breaker open for {dep} overnight and revisit in the morning.",
	}
	commsTexts = []string{
		"Status page updated: *We are investigating elevated errors affecting {svc}.*",
		"Posted update #{n} to the status page: *A fix is being rolled out; we will update within 30 minutes.*",
		"Internal update in #incidents: impact limited to {seg} in {region}.",
		"Emailed the affected {seg} with a summary and next steps.",
		"Support briefed with a macro for incoming tickets ({ticket}).",
		"Executive summary sent to leadership: {sev}, {pct} of requests failing.",
		"Status page: *The issue has been mitigated and we are monitoring.*",
		"Status page: *This incident has been resolved.*",
		"Notified {vendor} of the impact on our side.",
		"Bridge opened; {n} people joined.",
	}
	deployTexts = []string{
		"Deploy of `{svc}` build #{build} (commit `{sha}`) to canary at {pct} traffic.",
		"Deployed the hotfix {ver} to {svc} in {region}.",
		"Config change `{cfg}` rolled out to {region} ({pr}).",
		"Rolling deploy of {svc} {ver} started across {n} hosts.",
		"Terraform apply for {dep} networking in {region} ({pr}).",
		"Helm upgrade of {svc} to chart {ver}.",
		"Feature flag `{flag}` ramped to {pct} of traffic.",
		"Database migration `{n}_add_index_{svc}` applied to {host}.",
	}
	summaryTexts = []string{
		"Between {t0} and {t1} UTC {what}. {cause} {fix}",
		"For {dur}, {what}. {cause} {fix}",
		"{what} from {t0} to {t1} UTC. {cause} {fix}",
	}
	impactTexts = []string{
		"For {dur} about **{pct}** of requests to {svc} failed; roughly {big} {seg} saw errors.",
		"- ~{big} failed requests\n- {n} support tickets ({ticket})\n- no data loss",
		"{seg} in {region} could not complete checkout for {dur}; an estimated {big} orders were delayed.",
		"Degraded latency (p99 {ms} ms) for {dur}; {pct} of API calls from {seg} timed out.",
		"Notifications to {seg} were delayed by up to {dur}; no messages were lost.",
		"Internal tooling only: {n} engineers were blocked for {dur}. No customer impact.",
		"{big} {seg} were signed out and had to log in again. Error rate peaked at {pct}.",
		"Data in {svc} was stale for {dur}; {big} records were reprocessed afterwards.",
	}
	wentWellTexts = []string{
		"- The alert fired within {n} minutes of impact starting.\n- The rollback was quick and tested.",
		"- The runbook for {alert} was accurate.\n- Status page updates went out within 10 minutes.",
		"- Responders from {team} joined the bridge quickly.\n- Dashboards made the blast radius clear.",
		"- The circuit breaker to {dep} contained the impact.\n- Incident roles were clear from the start.",
		"- Canary analysis stopped the rollout at {pct}.\n- Good handover notes between shifts.",
		"- Feature flags let us switch off `{flag}` without a deploy.",
	}
	wentWrongTexts = []string{
		"- Nothing alerted on {tech} directly; we found it by reading logs.\n- Finding the change took {min} minutes.",
		"- The runbook pointed at a dashboard that no longer exists.\n- Two teams debugged the same symptom in parallel.",
		"- The rollback took {min} minutes because the pipeline re-ran every test.\n- {dep} had no capacity headroom.",
		"- Alerts for {svc} went to a rotation that had been retired.\n- Status page updates lagged the internal channel.",
		"- Staging does not have the traffic shape of production, so the change looked safe there.",
		"- The config pipeline accepted a value outside the safe range for {cfg}.",
	}
	luckyTexts = []string{
		"The change reached only one region before the alert fired.",
		"It happened during a low-traffic window; peak traffic is several times higher.",
		"The {svc} dashboard was already on the screen of the bridge when the errors started.",
		"The standby in {az} had been rebuilt the week before, so the failover worked.",
		"Backups from the night before were intact and recent.",
		"The retry queue held every failed message, so nothing was lost.",
	}
	lessonTexts = []string{
		"Values reviewed against staging need a separate check against production's scale.",
		"Limits that protect a dependency must be derived from the fleet size, not set by hand.",
		"Every alert needs an owner and a runbook that is exercised at least once a quarter.",
		"Retries without a budget turn a partial outage into a full one.",
		"A dependency's failure mode must be part of the design review, not discovered in production.",
		"Certificates, credentials and quotas need expiry monitoring with weeks of warning.",
		"We learned how {svc} behaves when {dep} is slow rather than down.",
		"Canary analysis must compare error rates per endpoint, not only the global rate.",
	}
	supportTexts = []string{
		"- [Dashboard]({dash})\n- [Incident channel log](https://chat.example.com/archives/inc-{ticketnum})\n- Ticket {ticket}",
		"- Grafana: {dash}\n- Pull request: https://git.example.com/{teamslug}/{svc}/pull/{prnum}",
		"- Vendor case {ticket}\n- [Runbook](https://runbooks.example.com/{svc}/{alertslug})",
	}
	whyRootTexts = []string{
		"{seg} saw errors from {svc} for {dur}.",
		"{svc} returned {code} to {pct} of requests.",
		"Requests to {svc} timed out in {region}.",
		"{svc} stopped processing work for {dur}.",
	}
	doneNotes = []string{
		"Shipped in {pr}; verified in production.", "Done; see {ticket}.", "Rolled out to all regions; alert tested with a game day.",
		"Merged and deployed in {ver}.", "Runbook updated and reviewed by {team}.", "Covered by a new test in CI; see {pr}.",
	}
	wontDoRationales = []string{
		"Superseded by the migration of {svc} to the new platform.", "The risk is now covered by the limits added in {ticket}.",
		"Cost outweighs the benefit; revisit if this recurs.", "{dep} is being decommissioned next quarter.",
		"Duplicate of an action item from an earlier incident ({ticket}).",
	}
	genericActions = []actionT{
		{"detect", "Alert on {metric} for {svc}", "Page {team} when {metric} deviates for 5 minutes; link the runbook."},
		{"process", "Update the {svc} runbook with the steps from this incident", "Include the commands used on the bridge."},
		{"process", "Run a game day for a {dep} outage", "Exercise the failover with {team} and time it."},
		{"mitigate", "Add a kill switch for {svc} calls to {dep}", "So responders can shed the dependency without a deploy."},
		{"detect", "Add a synthetic check for {svc} in {region}", "Cover the path {seg} use."},
		{"prevent", "Add {svc} to the capacity review", "Include headroom for peak traffic and failover."},
		{"process", "Make the status page update part of the incident checklist", ""},
		{"mitigate", "Document how to fail over {dep} by hand", "Keep it beside the automation in the runbook."},
	}
	tagPool = []string{
		"customer-facing", "internal", "data-loss-risk", "security", "compliance", "recurring", "vendor", "weekend",
		"peak-traffic", "black-friday", "migration", "cost-reduction", "multi-region", "mobile", "api", "latency",
		"availability", "correctness", "near-miss", "on-call", "follow-up-needed",
	}
)

// mode is a failure mode: what an incident of its kind is called and how
// people describe it, find it and fix it.
type mode struct {
	tag      string
	weight   float64
	titles   []string
	what     []string // what happened, for the summary ("checkout requests failed")
	errs     []string
	codes    []string
	cfgs     []string
	alerts   []string
	metrics  []string
	triggers []string // the trigger, as the postmortem states it
	fixes    []string // what stopped the impact
	symptoms []string // timeline observations specific to the mode
	factors  []factorT
	whys     [][]string // chains, from the first "why?" down
	actions  []actionT
	hosts    []string // host name patterns: prefix, the number is added
}

type factorT struct{ cat, title, desc string }

type actionT struct{ typ, title, desc string }

var modes = []mode{
	{
		tag: "connection-pool", weight: 10,
		titles: []string{"Connection pool exhausted on {svc}", "{svc} requests failing after connection-pool change",
			"Database connection exhaustion in {region}", "Checkout timeouts: {svc} could not get database connections"},
		what:    []string{"requests to {svc} failed because its database connection pool was exhausted", "{svc} queued requests waiting for database connections until they timed out"},
		errs:    []string{"timeout acquiring connection from pool", "FATAL: remaining connection slots are reserved for non-replication superuser connections", "HikariPool-1 - Connection is not available, request timed out after 30000ms", "too many connections"},
		codes:   []string{"HTTP 503", "HTTP 504", "SQLSTATE 53300", "ER_CON_COUNT_ERROR"},
		cfgs:    []string{"db.pool.max", "maxPoolSize", "pgbouncer.default_pool_size", "max_connections"},
		alerts:  []string{"HighErrorRate", "DBConnectionsSaturated", "CheckoutLatencyHigh"},
		metrics: []string{"active connections", "pool wait time", "p99 latency"},
		triggers: []string{"A configuration change lowered `{cfg}` for {svc} from {n2} to {n} in {region}.",
			"A traffic spike from {seg} doubled the number of concurrent requests to {svc}, and each held a connection for the full request.",
			"A new code path in {svc} {ver} opened a transaction before calling {dep} and held the connection for the call."},
		fixes: []string{"Reverting the configuration change restored the pool size; errors stopped within a minute.",
			"Scaling {svc} horizontally and raising `{cfg}` on pgbouncer relieved the pressure."},
		symptoms: []string{"{host} shows {n2} active connections out of {n2}; `pg_stat_activity` is mostly `idle in transaction`.",
			"Pool wait time on {svc} at {ms} ms; every worker thread is blocked on `getConnection()`."},
		factors: []factorT{
			{"configuration", "Pool limit lowered without a check against fleet size", "The review compared `{cfg}` with staging, which runs {n} pods; production runs {n2}."},
			{"code defect", "Transaction held open across a network call", "{svc} kept a database connection checked out while waiting on {dep}."},
			{"monitoring gap", "No alert on pool saturation", "We alert on 5xx rate but not on pool wait time, which rose {min} minutes earlier."},
			{"capacity", "No headroom on {host}", "The primary was already close to `max_connections` at peak."},
		},
		whys: [][]string{
			{"The pool ran out of connections under the evening peak.", "The pool size was lowered from {n2} to {n}.", "The change was reviewed against staging's scale.", "Nothing in the config pipeline knows production's fleet size."},
			{"Each request held a connection for the whole call to {dep}.", "The transaction boundary was moved up in a refactor.", "No test covers connection hold time."},
		},
		actions: []actionT{
			{"prevent", "Validate pool limits against fleet size in the config pipeline", "Reject `{cfg}` values that would exceed `max_connections` across all pods."},
			{"detect", "Alert on connection pool wait time for {svc}", "Page when p95 pool wait exceeds 100 ms for 5 minutes."},
			{"prevent", "Move the {dep} call outside the transaction in {svc}", ""},
			{"mitigate", "Put pgbouncer in front of {host}", "Transaction pooling so that idle clients do not hold server connections."},
		},
		hosts: []string{"db-prod-", "pg-payments-", "pgbouncer-"},
	},
	{
		tag: "certificate", weight: 7,
		titles: []string{"TLS certificate expired on {svc}", "Expired certificate broke {svc} for {seg}", "mTLS handshake failures between {svc} and {dep}",
			"Certificate chain missing intermediate after renewal"},
		what:     []string{"clients could not connect to {svc} because its TLS certificate had expired", "TLS handshakes between {svc} and {dep} failed after a certificate rotation"},
		errs:     []string{"x509: certificate has expired or is not yet valid", "SSL routines:ssl3_read_bytes:sslv3 alert certificate expired", "unable to get local issuer certificate", "tls: bad certificate", "CERT_HAS_EXPIRED"},
		codes:    []string{"ERR_CERT_DATE_INVALID", "SSL_ERROR_BAD_CERT_DOMAIN", "HTTP 495", "handshake_failure"},
		cfgs:     []string{"cert-manager renewBefore", "tls.certificate_path", "acme.account_email", "ssl_trusted_certificate"},
		alerts:   []string{"TLSHandshakeErrors", "CertificateExpiringSoon", "SyntheticCheckFailed"},
		metrics:  []string{"TLS handshake errors", "successful connections", "certificate days remaining"},
		triggers: []string{"The certificate for {svc}.example.com expired at {t0} UTC; the renewal job had been failing since the DNS provider changed its API.", "A certificate rotation on {dep} shipped a chain without the intermediate certificate; older clients rejected it."},
		fixes:    []string{"A certificate was issued by hand and deployed to the load balancers; handshakes recovered at once.", "Redeploying with the full chain restored connections from older clients."},
		symptoms: []string{"`openssl s_client -connect {svc}.example.com:443` shows notAfter in the past.", "Only clients on Android 7 and older fail; the rest connect fine."},
		factors: []factorT{
			{"monitoring gap", "Certificate expiry was not monitored", "The renewal job's failures went to a log nobody reads; no alert on days remaining."},
			{"dependency", "DNS provider API change broke ACME validation", "The DNS-01 challenge used an API version {vendor} retired."},
			{"runbook/documentation", "No runbook for a manual certificate issue", "Responders spent {min} minutes finding how to issue a certificate by hand."},
			{"testing gap", "Chain validation not tested with older clients", "Our synthetic checks use a modern trust store."},
		},
		whys: [][]string{
			{"The certificate expired.", "The renewal job had been failing for {n} days.", "Its failures were logged but did not alert.", "The job was set up before we had an alerting standard."},
			{"Older clients rejected the new chain.", "The intermediate certificate was missing.", "The deploy tool copies only the leaf certificate."},
		},
		actions: []actionT{
			{"detect", "Alert 21 days before any certificate expires", "Cover every public and internal endpoint, discovered from the load balancer inventory."},
			{"prevent", "Serve the full chain from the deploy tool", ""},
			{"process", "Write a runbook for issuing a certificate by hand", ""},
			{"detect", "Add a synthetic check with an old Android trust store", ""},
		},
		hosts: []string{"lb-edge-", "ingress-", "haproxy-"},
	},
	{
		tag: "dns", weight: 7,
		titles:   []string{"DNS resolution failures across {region}", "Production outage: DNS resolution failures", "{svc} could not resolve {dep} after resolver change", "Intermittent NXDOMAIN for internal zones"},
		what:     []string{"services in {region} could not resolve internal names", "lookups of {dep} failed intermittently, so {svc} could not reach it"},
		errs:     []string{"dial tcp: lookup {dep}.internal: no such host", "SERVFAIL", "getaddrinfo EAI_AGAIN", "i/o timeout on udp 10.0.0.2:53", "NXDOMAIN"},
		codes:    []string{"EAI_AGAIN", "SERVFAIL", "NXDOMAIN", "HTTP 502"},
		cfgs:     []string{"ndots", "coredns cache ttl", "forward . /etc/resolv.conf", "resolver.timeout"},
		alerts:   []string{"DNSLookupFailures", "CoreDNSErrorsHigh", "UpstreamUnreachable"},
		metrics:  []string{"DNS lookup errors", "CoreDNS p99", "SERVFAIL rate"},
		triggers: []string{"A change to the CoreDNS config removed the cache for internal zones, and the upstream resolvers could not absorb the load.", "{vendor} had an outage in {region}; our resolvers had no secondary configured.", "The `ndots:5` default multiplied every lookup by five and exhausted the conntrack table on {host}."},
		fixes:    []string{"Restoring the cache block and restarting CoreDNS stopped the failures.", "Adding a secondary upstream resolver restored resolution."},
		symptoms: []string{"`dig @10.0.0.2 {dep}.internal` times out; `dig @8.8.8.8` works.", "CoreDNS pods on {host} are at their CPU limit."},
		factors: []factorT{
			{"configuration", "CoreDNS cache removed by a config refactor", "The diff looked like a formatting change."},
			{"dependency", "Single upstream resolver", "All lookups depended on {vendor}."},
			{"capacity", "conntrack table too small for the lookup rate", "UDP lookups filled the table on busy nodes."},
			{"monitoring gap", "DNS errors not visible on service dashboards", ""},
		},
		whys: [][]string{
			{"Lookups for internal names failed.", "The resolvers were overloaded.", "Every lookup went upstream because the cache was gone.", "The config change was reviewed as a formatting change."},
			{"Each lookup was repeated five times.", "`ndots:5` is the Kubernetes default.", "Nobody had tuned resolver settings for our search domains."},
		},
		actions: []actionT{
			{"prevent", "Add a config test that asserts the CoreDNS cache block", ""},
			{"mitigate", "Configure a secondary upstream resolver", "Different provider, tested monthly."},
			{"prevent", "Set `ndots:2` for workloads that use fully qualified names", ""},
			{"detect", "Show DNS error rate on every service dashboard", ""},
		},
		hosts: []string{"k8s-node-", "coredns-", "resolver-"},
	},
	{
		tag: "deadlock", weight: 5,
		titles:   []string{"Deadlock in {svc} worker", "{svc} stalled on database deadlocks", "Lock contention on the orders table"},
		what:     []string{"{svc} stopped processing jobs because of repeated database deadlocks", "writes to {svc} stalled on lock contention"},
		errs:     []string{"ERROR: deadlock detected", "Deadlock found when trying to get lock; try restarting transaction", "lock wait timeout exceeded", "canceling statement due to lock timeout"},
		codes:    []string{"SQLSTATE 40P01", "ER_LOCK_DEADLOCK", "ER_LOCK_WAIT_TIMEOUT", "SQLSTATE 55P03"},
		cfgs:     []string{"lock_timeout", "innodb_lock_wait_timeout", "worker.concurrency", "batch.size"},
		alerts:   []string{"JobQueueStalled", "DeadlocksHigh", "WorkerThroughputLow"},
		metrics:  []string{"deadlocks per minute", "jobs processed", "lock wait time"},
		triggers: []string{"A new batch job in {svc} {ver} updated rows in the opposite order to the online path.", "Raising `{cfg}` from {n} to {n2} made concurrent updates of the same rows common."},
		fixes:    []string{"Pausing the batch job cleared the deadlocks; it was re-enabled with ordered updates.", "Lowering `{cfg}` back to {n} stopped the deadlocks."},
		symptoms: []string{"`SHOW ENGINE INNODB STATUS` on {host} shows the same two statements in every deadlock.", "Worker retries are not backing off; each deadlock is retried immediately."},
		factors: []factorT{
			{"code defect", "Two code paths lock rows in different orders", ""},
			{"change", "Batch job shipped without a load test", "It was tested on a copy with {n} rows; production has {big}."},
			{"code defect", "Retries without backoff", "Deadlocked transactions retried immediately and collided again."},
		},
		whys: [][]string{
			{"Jobs stopped completing.", "Transactions deadlocked and retried in a loop.", "The batch job and the API locked rows in opposite orders.", "Lock ordering is not documented for the orders schema."},
		},
		actions: []actionT{
			{"prevent", "Update rows in primary-key order in the batch job", ""},
			{"prevent", "Add exponential backoff with jitter to job retries", ""},
			{"process", "Document lock ordering for the orders schema", ""},
		},
		hosts: []string{"mysql-orders-", "db-prod-", "worker-"},
	},
	{
		tag: "oom", weight: 7,
		titles:   []string{"OOM kills in {svc}", "{svc} pods OOMKilled after {ver} deploy", "Memory leak in {svc} caused repeated restarts"},
		what:     []string{"{svc} pods were repeatedly killed for running out of memory", "a memory leak in {svc} caused restarts every few minutes"},
		errs:     []string{"OOMKilled", "java.lang.OutOfMemoryError: Java heap space", "fatal error: runtime: out of memory", "Memory cgroup out of memory: Killed process"},
		codes:    []string{"exit code 137", "HTTP 502", "CrashLoopBackOff"},
		cfgs:     []string{"resources.limits.memory", "-Xmx", "GOMEMLIMIT", "cache.max_entries"},
		alerts:   []string{"PodRestartsHigh", "ContainerOOMKilled", "MemoryUsageHigh"},
		metrics:  []string{"container memory", "restarts", "heap usage"},
		triggers: []string{"{svc} {ver} added an in-process cache without a size bound.", "A request from {seg} with a {big}-item payload was loaded into memory at once.", "Lowering `{cfg}` to save cost left no headroom for peak traffic."},
		fixes:    []string{"Rolling back to the previous version stopped the restarts.", "Raising `{cfg}` and disabling the cache stabilised the pods."},
		symptoms: []string{"Heap dump from {host} shows {pct} of memory in one map.", "Pods restart every {n} minutes; memory grows linearly after each start."},
		factors: []factorT{
			{"code defect", "Unbounded in-process cache", ""},
			{"testing gap", "Load tests run for minutes, the leak shows after hours", ""},
			{"capacity", "Memory limit set from average, not peak usage", ""},
			{"monitoring gap", "Memory alerts only on the node, not the container", ""},
		},
		whys: [][]string{
			{"Pods were OOMKilled.", "Memory grew without bound.", "The cache had no eviction.", "The cache library's default is unbounded."},
			{"The restarts took down the whole service.", "All pods ran out of memory at about the same time.", "They all started together after the deploy."},
		},
		actions: []actionT{
			{"prevent", "Bound the {svc} cache with LRU eviction", ""},
			{"detect", "Alert on container memory at 85% of the limit", ""},
			{"prevent", "Add a soak test of 6 hours to the release pipeline", ""},
		},
		hosts: []string{"k8s-node-", "app-", "worker-"},
	},
	{
		tag: "disk-full", weight: 5,
		titles:   []string{"Disk full on {host}", "{svc} writes failing: no space left on device", "Log volume filled the disk on the collector"},
		what:     []string{"writes on {host} failed because the disk was full", "{svc} stopped accepting data when its volume filled up"},
		errs:     []string{"No space left on device", "ENOSPC", "could not extend file: No space left on device", "disk usage above 95%"},
		codes:    []string{"ENOSPC", "HTTP 507", "errno 28"},
		cfgs:     []string{"logrotate.maxsize", "retention.days", "volume.size", "wal_keep_size"},
		alerts:   []string{"DiskSpaceLow", "FilesystemAlmostFull", "VolumeUsageHigh"},
		metrics:  []string{"disk usage", "inode usage", "write errors"},
		triggers: []string{"Log rotation was disabled by a config change and the disk filled overnight.", "A stuck replication slot kept {big} MB of WAL on {host}.", "Debug logging was left on after an earlier investigation."},
		fixes:    []string{"Old logs were compressed and moved; writes resumed once space was free.", "Dropping the stale replication slot released the WAL."},
		symptoms: []string{"`df -h` on {host} shows 100% on /var.", "`du` shows {big} MB in /var/log/{svc}."},
		factors: []factorT{
			{"configuration", "Log rotation disabled by a config change", ""},
			{"monitoring gap", "Disk alert thresholds too close to full", "It fired at 95%, {min} minutes before the disk filled."},
			{"hardware/infrastructure", "Volume sized years ago for a fraction of today's traffic", ""},
		},
		whys: [][]string{
			{"The disk filled up.", "Logs were no longer rotated.", "A config refactor dropped the logrotate stanza.", "The config has no test for it."},
		},
		actions: []actionT{
			{"detect", "Alert on disk fill rate, not only the level", "Predict full within 24 hours."},
			{"prevent", "Restore and test log rotation for {svc}", ""},
			{"detect", "Alert on inactive replication slots", ""},
		},
		hosts: []string{"log-collector-", "db-prod-", "kafka-broker-"},
	},
	{
		tag: "config-push", weight: 9,
		titles:   []string{"Bad config push took down {svc}", "Global config rollout broke {svc} in every region", "Staging outage after config push", "{svc} rejected requests after a config change"},
		what:     []string{"a configuration push made {svc} reject requests", "a config change reached every region at once and broke {svc}"},
		errs:     []string{"invalid configuration: unknown field", "failed to parse config: yaml: line {n}", "no healthy upstream", "upstream connect error or disconnect/reset before headers"},
		codes:    []string{"HTTP 500", "HTTP 503", "HTTP 403"},
		cfgs:     []string{"routes.yaml", "allowlist.cidrs", "upstream.timeout_ms", "envoy cluster config"},
		alerts:   []string{"HighErrorRate", "ConfigReloadFailed", "AvailabilityBelowSLO"},
		metrics:  []string{"5xx rate", "config reload errors", "healthy upstreams"},
		triggers: []string{"A config push changed `{cfg}` in all regions at once; the new value was invalid for {svc}.", "An allowlist update in {pr} dropped the CIDR range of {dep}."},
		fixes:    []string{"The config was reverted; {svc} recovered as each region reloaded.", "Restoring the previous allowlist let {dep} connect again."},
		symptoms: []string{"The errors started {n} seconds after config version {build} was pushed.", "Every region is affected at the same time; this is not a regional dependency."},
		factors: []factorT{
			{"configuration", "Config changes roll out globally at once", "Code deploys are staged by region; config pushes are not."},
			{"testing gap", "Config schema not validated before the push", ""},
			{"change", "Config change landed during a busy release day", ""},
			{"process", "Config review focused on the diff, not the effect", ""},
		},
		whys: [][]string{
			{"{svc} rejected requests in every region.", "An invalid value for `{cfg}` reached every region within a minute.", "Config pushes are not staged like deploys.", "The config system predates staged rollouts."},
			{"The invalid value was not caught in review.", "The schema allows any string.", "Nobody owns the schema."},
		},
		actions: []actionT{
			{"prevent", "Stage config pushes region by region with automatic rollback", ""},
			{"prevent", "Validate {svc} config against a schema in CI", ""},
			{"process", "Assign an owner to the config schema", ""},
		},
		hosts: []string{"envoy-", "config-", "edge-"},
	},
	{
		tag: "feature-flag", weight: 5,
		titles:   []string{"Feature flag enabled an unfinished code path in {svc}", "Flag `{flag}` ramp caused errors for {seg}", "Kill switch did not disable {svc} feature"},
		what:     []string{"turning on the `{flag}` flag sent {seg} down an unfinished code path", "a feature flag ramp broke {svc} for {seg}"},
		errs:     []string{"NullPointerException in {svc}", "panic: runtime error: invalid memory address or nil pointer dereference", "TypeError: Cannot read properties of undefined", "unknown variant"},
		codes:    []string{"HTTP 500", "HTTP 422", "HTTP 409"},
		cfgs:     []string{"flags.{flag}.rollout", "flag default", "targeting rules"},
		alerts:   []string{"HighErrorRate", "CheckoutConversionDrop", "ExceptionRateHigh"},
		metrics:  []string{"conversion rate", "exception rate", "flag evaluations"},
		triggers: []string{"The `{flag}` flag was ramped to {pct} while the backend part of the feature was still behind a second flag.", "A flag cleanup removed the default for `{flag}`, so it evaluated to on for everyone."},
		fixes:    []string{"Turning the flag off stopped the errors at once.", "Restoring the flag default returned {svc} to the old path."},
		symptoms: []string{"All failing requests carry the `{flag}` variant header.", "Errors started when the flag ramp reached {pct}."},
		factors: []factorT{
			{"change", "Flag ramp without checking dependent flags", ""},
			{"testing gap", "No test of the on/off combinations", ""},
			{"monitoring gap", "Error rate not broken down by flag variant", ""},
		},
		whys: [][]string{
			{"{seg} hit an unfinished code path.", "The frontend flag was on while the backend flag was off.", "The two flags are not linked.", "The flag system has no notion of dependencies."},
		},
		actions: []actionT{
			{"prevent", "Declare flag dependencies and refuse inconsistent ramps", ""},
			{"detect", "Break down error rate by flag variant on the {svc} dashboard", ""},
			{"process", "Add flag cleanup to the definition of done", ""},
		},
		hosts: []string{"app-", "web-"},
	},
	{
		tag: "failover", weight: 5,
		titles:   []string{"Database failover left {svc} writing to the old primary", "Failover to {az} took {min} minutes", "Split brain in {dep} after network partition"},
		what:     []string{"a database failover did not complete cleanly and {svc} lost writes for a while", "{dep} failed over, but clients kept connecting to the old primary"},
		errs:     []string{"cannot execute INSERT in a read-only transaction", "ERROR 1290: The MySQL server is running with the --read-only option", "connection refused", "no primary found"},
		codes:    []string{"SQLSTATE 25006", "ECONNREFUSED", "HTTP 503"},
		cfgs:     []string{"failover.timeout", "dns ttl for the primary endpoint", "orchestrator.recovery_period"},
		alerts:   []string{"PrimaryUnavailable", "ReplicationBroken", "WriteErrorsHigh"},
		metrics:  []string{"write errors", "replication lag", "failover duration"},
		triggers: []string{"The primary {host} lost its network for {n} seconds; the orchestrator promoted {host2} but clients cached the old address.", "A planned failover for maintenance ran while a long transaction was open on the primary."},
		fixes:    []string{"Restarting the clients made them resolve the new primary; writes resumed.", "The old primary was fenced and the clients reconnected to {host2}."},
		symptoms: []string{"{host} and {host2} both report themselves as primary.", "The primary endpoint still resolves to {host} after the failover ({n}s TTL)."},
		factors: []factorT{
			{"hardware/infrastructure", "Network flap on the primary's top-of-rack switch", ""},
			{"configuration", "Clients cache the primary address beyond the DNS TTL", ""},
			{"process", "Failover last rehearsed {n} months ago", ""},
		},
		whys: [][]string{
			{"Writes failed after the failover.", "Clients still connected to the old primary.", "The driver caches DNS for the process lifetime.", "The driver default was never changed."},
			{"The failover took {min} minutes.", "The orchestrator waited for a long transaction.", "No statement timeout on batch jobs."},
		},
		actions: []actionT{
			{"prevent", "Fence the old primary automatically on failover", ""},
			{"prevent", "Set the DNS cache TTL in the {svc} driver to 5 seconds", ""},
			{"process", "Rehearse database failover every quarter", ""},
		},
		hosts: []string{"db-prod-", "mysql-users-", "pg-primary-"},
	},
	{
		tag: "replication-lag", weight: 5,
		titles:   []string{"Replication lag served stale data from {svc}", "Read replicas {n} minutes behind in {region}", "Users saw stale balances due to replica lag"},
		what:     []string{"read replicas fell behind and {svc} served stale data", "{seg} saw out-of-date data because replicas lagged the primary"},
		errs:     []string{"replica lag {n}s exceeds threshold", "Seconds_Behind_Master: {big}", "canceling statement due to conflict with recovery"},
		codes:    []string{"HTTP 409", "stale read"},
		cfgs:     []string{"max_standby_streaming_delay", "read_from_replica", "binlog_format"},
		alerts:   []string{"ReplicationLagHigh", "StaleReadsDetected"},
		metrics:  []string{"replication lag", "replica apply rate"},
		triggers: []string{"A backfill job in {svc} wrote {big} rows in one transaction; replicas applied it single-threaded.", "A schema migration rebuilt a large table on the primary."},
		fixes:    []string{"Routing reads to the primary until the replicas caught up ended the stale reads.", "The backfill was paused and restarted in small batches."},
		symptoms: []string{"Lag on {host2} is {big} seconds and rising.", "Customers report balances that change back and forth."},
		factors: []factorT{
			{"change", "Backfill job without batching", ""},
			{"code defect", "Read-your-writes paths read from replicas", ""},
			{"monitoring gap", "Replication lag alert routed to a team channel, not paged", ""},
		},
		whys: [][]string{
			{"Users saw stale data.", "Reads went to replicas that were behind.", "The replicas could not keep up with one huge transaction.", "The backfill tooling has no batching by default."},
		},
		actions: []actionT{
			{"prevent", "Batch backfills at 1,000 rows with a lag check between batches", ""},
			{"mitigate", "Route reads to the primary when lag exceeds 5 s", ""},
			{"detect", "Page on replication lag over 60 s", ""},
		},
		hosts: []string{"db-replica-", "mysql-orders-", "pg-replica-"},
	},
	{
		tag: "thundering-herd", weight: 4,
		titles:   []string{"Thundering herd after {dep} recovered", "Connection storm after failover", "Reconnect storm overloaded {svc}"},
		what:     []string{"every client reconnected to {svc} at once after a brief outage and kept it down", "a connection storm after a failover overloaded {svc}"},
		errs:     []string{"accept queue overflow", "connection reset by peer", "too many open files", "SYN flooding on port 443"},
		codes:    []string{"ECONNRESET", "HTTP 503", "EMFILE"},
		cfgs:     []string{"reconnect.backoff", "somaxconn", "ulimit -n"},
		alerts:   []string{"ConnectionsSpike", "HighErrorRate"},
		metrics:  []string{"new connections per second", "accept queue drops"},
		triggers: []string{"{dep} restarted, and {big} clients reconnected within the same second without jitter.", "A cache flush sent every request to {svc} at once."},
		fixes:    []string{"Shedding load at the edge let {svc} recover; clients were re-admitted gradually.", "Rate limiting new connections broke the cycle."},
		symptoms: []string{"New connections per second at {big}, {n}x the normal peak.", "{host} drops SYNs; `netstat -s` shows listen queue overflows."},
		factors: []factorT{
			{"code defect", "Client reconnects without jitter", ""},
			{"capacity", "No admission control on {svc}", ""},
			{"dependency", "{dep} restart was not coordinated", ""},
		},
		whys: [][]string{
			{"{svc} stayed down after {dep} came back.", "All clients reconnected at once.", "The client library retries on a fixed interval.", "Jitter was removed in an old refactor."},
		},
		actions: []actionT{
			{"prevent", "Add jittered exponential backoff to the client library", ""},
			{"mitigate", "Add admission control to {svc}", "Reject new connections above a rate instead of accepting and timing out."},
		},
		hosts: []string{"lb-", "app-", "redis-"},
	},
	{
		tag: "retry-storm", weight: 5,
		titles:   []string{"Retry storm amplified {dep} outage", "{svc} retries turned a blip into an outage", "Cascading failure from unbounded retries"},
		what:     []string{"retries from {svc} multiplied the load on {dep} and turned a short slowdown into an outage", "a retry storm kept {dep} overloaded"},
		errs:     []string{"context deadline exceeded", "upstream request timeout", "503 Service Unavailable", "RESOURCE_EXHAUSTED"},
		codes:    []string{"HTTP 503", "DEADLINE_EXCEEDED", "UNAVAILABLE"},
		cfgs:     []string{"retry.max_attempts", "retry budget", "timeout_ms"},
		alerts:   []string{"UpstreamErrorRate", "RequestRateAnomaly"},
		metrics:  []string{"request rate to {dep}", "retry ratio"},
		triggers: []string{"{dep} slowed down during a compaction; {svc} retried each call {n} times at every layer.", "A change set `{cfg}` to {n} on three layers of the call chain."},
		fixes:    []string{"Disabling retries in {svc} with the kill switch let {dep} recover.", "Turning on the retry budget cut the load on {dep} by {pct}."},
		symptoms: []string{"Requests to {dep} at {n}x normal while user traffic is flat.", "{pct} of calls are retries."},
		factors: []factorT{
			{"code defect", "Retries at every layer of the call chain", ""},
			{"configuration", "No retry budget", ""},
			{"dependency", "{dep} slows down during compaction", ""},
		},
		whys: [][]string{
			{"{dep} was overloaded.", "Traffic to it multiplied.", "Every layer retried.", "Retry policies are set per service with no shared guidance."},
		},
		actions: []actionT{
			{"prevent", "Retry only at the outermost layer", ""},
			{"prevent", "Add a retry budget of 10% to the RPC client", ""},
			{"mitigate", "Add a circuit breaker for {dep} calls", ""},
		},
		hosts: []string{"app-", "grpc-"},
	},
	{
		tag: "rate-limiting", weight: 4,
		titles:   []string{"Rate limiting blocked {seg}", "Rate limit rule matched a partner's shared IP range", "{svc} throttled legitimate traffic"},
		what:     []string{"a new rate limit rule throttled legitimate traffic from {seg}", "{svc} returned 429s to {seg}"},
		errs:     []string{"429 Too Many Requests", "rate limit exceeded", "quota exceeded for quota metric"},
		codes:    []string{"HTTP 429", "RESOURCE_EXHAUSTED"},
		cfgs:     []string{"ratelimit.requests_per_minute", "ratelimit.key", "burst"},
		alerts:   []string{"429RateHigh", "PartnerErrorRate"},
		metrics:  []string{"429 responses", "throttled clients"},
		triggers: []string{"A rate limit keyed on source IP matched the NAT gateway of {seg}.", "Lowering `{cfg}` to stop a scraper also hit {seg}."},
		fixes:    []string{"The rule was changed to key on API token; throttling stopped.", "The limit was raised for the affected tenants."},
		symptoms: []string{"All 429s come from {n} IP addresses.", "Throttled clients include our own {svc}."},
		factors: []factorT{
			{"configuration", "Rate limit keyed on IP address", ""},
			{"testing gap", "Rule not tried in log-only mode first", ""},
			{"communication", "Partners not told about the new limits", ""},
		},
		whys: [][]string{
			{"{seg} got 429s.", "They share one IP range.", "The rule keys on IP.", "Token-based keys were not available at the edge."},
		},
		actions: []actionT{
			{"prevent", "Key rate limits on API token where one is present", ""},
			{"process", "Run new rate limit rules in log-only mode for a week", ""},
		},
		hosts: []string{"edge-", "waf-"},
	},
	{
		tag: "cache-stampede", weight: 4,
		titles:   []string{"Cache stampede on {svc}", "Cache flush overloaded {dep}", "Redis eviction storm slowed {svc}"},
		what:     []string{"a cache flush sent all reads to {dep} and overloaded it", "hot keys expired together and {svc} stampeded {dep}"},
		errs:     []string{"OOM command not allowed when used memory > 'maxmemory'", "READONLY You can't write against a read only replica", "cache miss rate 100%"},
		codes:    []string{"HTTP 504", "MOVED", "CLUSTERDOWN"},
		cfgs:     []string{"maxmemory-policy", "cache.ttl", "redis.maxmemory"},
		alerts:   []string{"CacheHitRatioLow", "DatabaseCPUHigh"},
		metrics:  []string{"cache hit ratio", "evictions", "DB QPS"},
		triggers: []string{"A deploy of {svc} changed the cache key format, invalidating every entry at once.", "All entries were written with the same TTL and expired together at midnight UTC."},
		fixes:    []string{"Warming the cache from a snapshot brought the hit ratio back to {pct}.", "Request coalescing was enabled; {dep} load dropped."},
		symptoms: []string{"Cache hit ratio fell from 98% to {pct}.", "{dep} CPU at 100% on {host}."},
		factors: []factorT{
			{"change", "Cache key format changed in a deploy", ""},
			{"code defect", "No request coalescing on misses", ""},
			{"capacity", "{dep} cannot serve traffic without the cache", ""},
		},
		whys: [][]string{
			{"{dep} was overloaded.", "Every read missed the cache.", "The key format changed in the deploy.", "Cache keys are not versioned."},
		},
		actions: []actionT{
			{"prevent", "Version cache keys and migrate gradually", ""},
			{"mitigate", "Coalesce concurrent misses for the same key", ""},
			{"prevent", "Add jitter to cache TTLs", ""},
		},
		hosts: []string{"redis-cache-", "memcached-"},
	},
	{
		tag: "bgp", weight: 3,
		titles:   []string{"BGP route leak made {region} unreachable", "Network partition between {region} and {dep}", "Packet loss on transit link in {region}"},
		what:     []string{"a routing problem made {svc} unreachable from parts of the internet", "packet loss between {region} and {dep} slowed every request"},
		errs:     []string{"no route to host", "connection timed out", "TCP retransmits above 5%"},
		codes:    []string{"EHOSTUNREACH", "ETIMEDOUT", "HTTP 522"},
		cfgs:     []string{"BGP prefix filters", "route-map", "ECMP hashing"},
		alerts:   []string{"PacketLossHigh", "EdgeReachability", "BGPSessionDown"},
		metrics:  []string{"packet loss", "retransmits", "reachability"},
		triggers: []string{"{vendor} accepted a route leak that sent our prefixes through a congested network.", "A maintenance on the transit link in {region} dropped one of two BGP sessions and the other saturated."},
		fixes:    []string{"Withdrawing the affected prefixes from the leaking peer restored reachability.", "Traffic was shifted to the secondary transit provider."},
		symptoms: []string{"mtr from {region} shows loss at hop {n}.", "Only users of some ISPs are affected."},
		factors: []factorT{
			{"dependency", "Transit provider accepted a route leak", ""},
			{"hardware/infrastructure", "Single transit link carried most traffic", ""},
			{"monitoring gap", "No external reachability monitoring per ISP", ""},
		},
		whys: [][]string{
			{"Users could not reach {svc}.", "Traffic took a congested path.", "A peer leaked our routes.", "We had no RPKI validation with that provider."},
		},
		actions: []actionT{
			{"prevent", "Sign our prefixes with RPKI ROAs", ""},
			{"detect", "Add external reachability probes from major ISPs", ""},
		},
		hosts: []string{"edge-router-", "border-", "tor-switch-"},
	},
	{
		tag: "tls-handshake", weight: 3,
		titles:   []string{"TLS handshake failures after library upgrade", "Clients could not negotiate a cipher with {svc}", "OpenSSL upgrade broke {dep} connections"},
		what:     []string{"a TLS library upgrade dropped a cipher suite older clients needed", "TLS handshakes between {svc} and {dep} failed after an upgrade"},
		errs:     []string{"tls: no cipher suite supported by both client and server", "SSL_ERROR_NO_CYPHER_OVERLAP", "handshake failure", "wrong version number"},
		codes:    []string{"alert 40", "HTTP 525", "SSL_ERROR_SYSCALL"},
		cfgs:     []string{"ssl_ciphers", "min TLS version", "tls.minVersion"},
		alerts:   []string{"TLSHandshakeErrors", "ClientErrorRate"},
		metrics:  []string{"handshake failures", "TLS version mix"},
		triggers: []string{"The base image upgrade to {ver} disabled TLS 1.1 and the CBC ciphers used by {seg}.", "`{cfg}` was tightened in {pr} without checking the client mix."},
		fixes:    []string{"The cipher list was restored; handshakes recovered.", "Rolling back the base image fixed the connections."},
		symptoms: []string{"All failing clients offer only TLS 1.1.", "Handshake failures started with the new base image."},
		factors: []factorT{
			{"change", "Base image upgrade changed TLS defaults", ""},
			{"monitoring gap", "No metric of client TLS versions", ""},
			{"communication", "Deprecation of old TLS not announced to partners", ""},
		},
		whys: [][]string{
			{"Clients could not connect.", "No cipher in common.", "The new image disabled old ciphers.", "Base image changes are not reviewed for protocol changes."},
		},
		actions: []actionT{
			{"detect", "Track TLS versions and ciphers of clients per partner", ""},
			{"process", "Announce TLS deprecations to partners 90 days ahead", ""},
		},
		hosts: []string{"ingress-", "lb-edge-"},
	},
	{
		tag: "bad-deploy", weight: 12,
		titles:   []string{"{svc} {ver} deploy caused elevated 5xx", "Rolling deploy of {svc} broke {dep} integration", "Regression in {svc} after release {ver}", "Canary missed a regression in {svc}"},
		what:     []string{"a new release of {svc} returned errors for {seg}", "a regression shipped in {svc} {ver} broke requests to {dep}"},
		errs:     []string{"panic: runtime error: index out of range", "NullPointerException", "unexpected EOF", "json: cannot unmarshal string into Go struct field", "500 Internal Server Error"},
		codes:    []string{"HTTP 500", "HTTP 502", "INTERNAL"},
		cfgs:     []string{"canary.steps", "rollout.maxSurge", "deploy.auto_promote"},
		alerts:   []string{"HighErrorRate", "CanaryFailed", "LatencySLOBurn"},
		metrics:  []string{"5xx rate", "canary score", "p99 latency"},
		triggers: []string{"{svc} {ver} changed the response format of an endpoint that {dep} depends on.", "A rolling deploy of {svc} {ver} shipped a migration that the old pods could not read.", "The canary passed because it received almost no traffic from {seg}."},
		fixes:    []string{"Rolling back to the previous release stopped the errors.", "A hotfix {ver} restored the old response format."},
		symptoms: []string{"Errors only on pods running {ver}.", "The canary got {n} requests in 10 minutes; not enough to judge."},
		factors: []factorT{
			{"change", "Breaking API change shipped without a version bump", ""},
			{"testing gap", "No contract test between {svc} and {dep}", ""},
			{"testing gap", "Canary traffic too small to detect the regression", ""},
			{"process", "Release notes did not flag the format change", ""},
		},
		whys: [][]string{
			{"{dep} failed to parse responses from {svc}.", "The format of a field changed.", "The change was seen as internal.", "No contract tests exist between the two services."},
			{"The canary did not catch it.", "It received little traffic from {seg}.", "Canary routing is random, not by segment."},
		},
		actions: []actionT{
			{"prevent", "Add consumer-driven contract tests for {svc}", ""},
			{"prevent", "Route a fixed share of every segment to the canary", ""},
			{"process", "Require an API changelog entry for response changes", ""},
		},
		hosts: []string{"app-", "k8s-node-", "web-"},
	},
	{
		tag: "queue-backlog", weight: 6,
		titles:   []string{"Kafka consumer lag in {svc}", "Queue backlog delayed {svc} by {dur}", "Poison message stalled the {svc} consumer"},
		what:     []string{"consumers of {svc} fell behind and messages were delayed", "a message the consumer could not process blocked its partition"},
		errs:     []string{"consumer group rebalancing", "org.apache.kafka.common.errors.RecordTooLargeException", "failed to deserialize message", "CommitFailedException"},
		codes:    []string{"REBALANCE_IN_PROGRESS", "OFFSET_OUT_OF_RANGE"},
		cfgs:     []string{"max.poll.interval.ms", "max.poll.records", "partitions"},
		alerts:   []string{"ConsumerLagHigh", "QueueDepthHigh", "DLQNotEmpty"},
		metrics:  []string{"consumer lag", "messages per second", "rebalances"},
		triggers: []string{"A message larger than `{cfg}` allowed was retried forever and blocked partition {n}.", "A partition rebalance every few minutes kept consumers from making progress."},
		fixes:    []string{"The message was moved to the dead letter queue; the consumer caught up in {min} minutes.", "Raising `{cfg}` stopped the rebalances."},
		symptoms: []string{"Lag at {big} messages on partition {n}; other partitions are fine.", "Consumers rebalance every {n} minutes."},
		factors: []factorT{
			{"code defect", "No dead letter queue for unprocessable messages", ""},
			{"configuration", "Poll interval shorter than worst-case processing time", ""},
			{"monitoring gap", "Lag alert on total lag, not per partition", ""},
		},
		whys: [][]string{
			{"Messages were delayed.", "One partition stopped moving.", "A message could not be processed and was retried forever.", "The consumer has no dead letter queue."},
		},
		actions: []actionT{
			{"prevent", "Send unprocessable messages to a dead letter queue after 3 attempts", ""},
			{"detect", "Alert on per-partition consumer lag", ""},
		},
		hosts: []string{"kafka-broker-", "consumer-"},
	},
	{
		tag: "third-party", weight: 6,
		titles:   []string{"{vendor} outage degraded {svc}", "Payment provider timeouts at checkout", "Upstream API errors from {vendor}"},
		what:     []string{"{vendor} had an outage and {svc} degraded with it", "calls to {vendor} timed out and {svc} could not complete requests"},
		errs:     []string{"upstream request timeout", "502 Bad Gateway from {vendor}", "read tcp: i/o timeout", "provider_unavailable"},
		codes:    []string{"HTTP 502", "HTTP 504", "ETIMEDOUT"},
		cfgs:     []string{"vendor.timeout_ms", "fallback.enabled", "circuit_breaker.threshold"},
		alerts:   []string{"VendorErrorRate", "CheckoutSuccessRateLow"},
		metrics:  []string{"vendor error rate", "success rate"},
		triggers: []string{"{vendor} had a regional outage in {region}.", "{vendor} rotated their API keys' signing algorithm without notice."},
		fixes:    []string{"Traffic was switched to the secondary provider.", "{vendor} resolved their incident; {svc} recovered without action."},
		symptoms: []string{"All failing calls go to {vendor}; internal dependencies are healthy.", "{vendor}'s status page confirms an incident."},
		factors: []factorT{
			{"dependency", "Single provider for a critical path", ""},
			{"configuration", "Vendor timeout longer than our own request timeout", ""},
			{"runbook/documentation", "Switch-over to the secondary provider not documented", ""},
		},
		whys: [][]string{
			{"Checkout failed.", "Calls to {vendor} timed out.", "{vendor} had an outage.", "We depend on one provider for this path."},
		},
		actions: []actionT{
			{"mitigate", "Automate failover to the secondary provider", ""},
			{"prevent", "Set vendor timeouts below our request timeout", ""},
			{"process", "Subscribe the on-call channel to {vendor}'s status page", ""},
		},
		hosts: []string{"egress-proxy-", "app-"},
	},
	{
		tag: "credentials", weight: 4,
		titles:   []string{"Expired credentials broke {svc} access to {dep}", "Secret rotation left {svc} with a revoked key", "API key revoked during rotation"},
		what:     []string{"{svc} lost access to {dep} when its credentials expired", "a secret rotation revoked the key {svc} was still using"},
		errs:     []string{"401 Unauthorized", "403 Forbidden: AccessDenied", "invalid_grant", "ExpiredToken: The security token included in the request is expired"},
		codes:    []string{"HTTP 401", "HTTP 403", "AccessDenied"},
		cfgs:     []string{"secret.rotation_days", "token ttl", "vault lease"},
		alerts:   []string{"AuthErrorsHigh", "DependencyUnauthorized"},
		metrics:  []string{"401 responses", "auth failures"},
		triggers: []string{"The service account key for {svc} expired after {n} days.", "Secret rotation revoked the old key before every pod had loaded the new one."},
		fixes:    []string{"A new key was issued and the pods restarted.", "The old key was re-enabled until all pods had reloaded."},
		symptoms: []string{"All calls from {svc} to {dep} return 401 since {t0} UTC.", "Pods started before the rotation fail; new pods work."},
		factors: []factorT{
			{"process", "Rotation revokes before all consumers reload", ""},
			{"monitoring gap", "No alert on credentials nearing expiry", ""},
			{"code defect", "{svc} reads secrets only at startup", ""},
		},
		whys: [][]string{
			{"{svc} could not call {dep}.", "Its key was revoked.", "Rotation does not wait for consumers.", "The rotation tool has no overlap period."},
		},
		actions: []actionT{
			{"prevent", "Keep old and new secrets valid for an overlap period", ""},
			{"prevent", "Reload secrets in {svc} without a restart", ""},
			{"detect", "Alert 14 days before any credential expires", ""},
		},
		hosts: []string{"vault-", "app-"},
	},
	{
		tag: "capacity", weight: 7,
		titles:   []string{"{svc} saturated during peak traffic", "Autoscaling too slow for traffic spike on {svc}", "Quota exhausted: cannot launch instances in {region}", "Black Friday load exceeded {svc} capacity"},
		what:     []string{"{svc} ran out of capacity at peak and shed requests", "autoscaling could not keep up with a traffic spike on {svc}"},
		errs:     []string{"InsufficientInstanceCapacity", "QuotaExceeded", "0/{n} nodes are available: insufficient cpu", "request queue full"},
		codes:    []string{"HTTP 503", "HTTP 429", "Pending"},
		cfgs:     []string{"hpa.maxReplicas", "instance quota", "cpu request"},
		alerts:   []string{"CPUSaturation", "PendingPods", "LatencySLOBurn"},
		metrics:  []string{"CPU utilisation", "pending pods", "requests per second"},
		triggers: []string{"Traffic from {seg} rose {n}x in ten minutes after a marketing push.", "The HPA hit `{cfg}` = {n} while traffic kept rising.", "The cloud account reached its instance quota in {region}."},
		fixes:    []string{"Raising `{cfg}` and pre-scaling brought latency back under the SLO.", "Shedding low-priority traffic protected checkout until capacity was added."},
		symptoms: []string{"{n} pods Pending: insufficient cpu.", "CPU on every {svc} pod at {pct}."},
		factors: []factorT{
			{"capacity", "Autoscaling ceiling below peak demand", ""},
			{"communication", "Marketing push not shared with engineering", ""},
			{"capacity", "Cloud quota not reviewed since last year", ""},
			{"process", "No load shedding priorities defined", ""},
		},
		whys: [][]string{
			{"{svc} was too slow at peak.", "It could not scale further.", "The HPA maximum was reached.", "The maximum was set two years ago and never revisited."},
		},
		actions: []actionT{
			{"prevent", "Review autoscaling limits against forecast peaks monthly", ""},
			{"process", "Share marketing launch calendar with on-call", ""},
			{"mitigate", "Define load shedding priorities for {svc}", ""},
		},
		hosts: []string{"k8s-node-", "asg-", "app-"},
	},
	{
		tag: "schema-migration", weight: 4,
		titles:   []string{"Schema migration locked the {svc} table", "Online DDL blocked writes to {svc}", "Migration `add_index` took a table lock in production"},
		what:     []string{"a schema migration held a lock and blocked writes to {svc}", "an index build locked a busy table"},
		errs:     []string{"Waiting for table metadata lock", "canceling statement due to statement timeout", "lock timeout"},
		codes:    []string{"SQLSTATE 57014", "HTTP 504"},
		cfgs:     []string{"statement_timeout", "lock_timeout", "gh-ost chunk size"},
		alerts:   []string{"WriteLatencyHigh", "DBLocksHigh"},
		metrics:  []string{"lock waits", "write latency"},
		triggers: []string{"Migration {n} ran `ALTER TABLE` without `CONCURRENTLY` on a {big}-row table.", "The migration waited for a lock behind a long-running analytics query and queued every write behind it."},
		fixes:    []string{"Cancelling the migration released the lock; it was re-run with online DDL at night.", "Killing the analytics query let the migration finish."},
		symptoms: []string{"`pg_locks` shows {n} sessions waiting on the same relation.", "Writes to {svc} stuck for {min} minutes."},
		factors: []factorT{
			{"change", "Migration took an exclusive lock on a busy table", ""},
			{"testing gap", "Migrations tested on small tables only", ""},
			{"configuration", "No lock timeout for migrations", ""},
		},
		whys: [][]string{
			{"Writes blocked.", "The migration held a lock.", "It waited behind a long query and everything queued behind it.", "Migrations run without a lock timeout."},
		},
		actions: []actionT{
			{"prevent", "Run migrations with `lock_timeout = 5s` and retry", ""},
			{"prevent", "Lint migrations for locking operations in CI", ""},
		},
		hosts: []string{"db-prod-", "pg-primary-"},
	},
	{
		tag: "clock-skew", weight: 2,
		titles:   []string{"Clock skew broke token validation", "NTP failure caused {svc} auth errors", "Leap second handling stalled {svc}"},
		what:     []string{"clocks on some hosts drifted and tokens were rejected as not yet valid", "time drift on {host} broke authentication"},
		errs:     []string{"token used before issued", "jwt: token is not valid yet", "clock skew detected"},
		codes:    []string{"HTTP 401", "iat in future"},
		cfgs:     []string{"ntp servers", "jwt leeway", "chrony makestep"},
		alerts:   []string{"ClockDrift", "AuthErrorsHigh"},
		metrics:  []string{"clock offset", "401 responses"},
		triggers: []string{"The NTP servers were unreachable after a firewall change; clocks on {n} hosts drifted by {n2} seconds.", "The VM image shipped with chrony disabled."},
		fixes:    []string{"Restoring NTP access and stepping the clocks fixed validation.", "Adding a 30-second leeway in token validation stopped the errors."},
		symptoms: []string{"{host} is {n} seconds ahead of the others.", "Only requests served by {n} hosts fail."},
		factors: []factorT{
			{"configuration", "Firewall change blocked NTP", ""},
			{"monitoring gap", "No alert on clock offset", ""},
			{"code defect", "Token validation with zero leeway", ""},
		},
		whys: [][]string{
			{"Tokens were rejected.", "Issuer and validator clocks disagreed.", "NTP was blocked.", "The firewall rule set had no test for NTP."},
		},
		actions: []actionT{
			{"detect", "Alert on clock offset above 1 s", ""},
			{"prevent", "Allow 30 s leeway when validating token times", ""},
		},
		hosts: []string{"auth-", "app-", "vm-"},
	},
	{
		tag: "k8s-node", weight: 4,
		titles:   []string{"Node pool upgrade evicted all {svc} pods", "Kubernetes node drain took {svc} offline", "kubelet disk pressure evictions in {region}"},
		what:     []string{"a node pool upgrade evicted every {svc} pod at once", "pods were evicted for disk pressure and {svc} lost capacity"},
		errs:     []string{"The node was low on resource: ephemeral-storage", "Evicted", "0/{n} nodes are available", "FailedScheduling"},
		codes:    []string{"Evicted", "HTTP 503"},
		cfgs:     []string{"PodDisruptionBudget", "maxUnavailable", "eviction-hard"},
		alerts:   []string{"PodsNotReady", "NodeDiskPressure"},
		metrics:  []string{"ready pods", "evictions"},
		triggers: []string{"{svc} had no PodDisruptionBudget, so the upgrade drained all its nodes together.", "Image layers filled the node disks and kubelet evicted pods."},
		fixes:    []string{"Pausing the upgrade let {svc} reschedule.", "Cleaning unused images freed disk; pods came back."},
		symptoms: []string{"All {svc} pods were on nodes drained in the same batch.", "`kubectl describe node {host}` shows DiskPressure."},
		factors: []factorT{
			{"configuration", "No PodDisruptionBudget for {svc}", ""},
			{"process", "Node upgrades not announced to service owners", ""},
			{"hardware/infrastructure", "Small node disks for large images", ""},
		},
		whys: [][]string{
			{"{svc} had no ready pods.", "All its nodes were drained together.", "It had no PodDisruptionBudget.", "The service template does not create one."},
		},
		actions: []actionT{
			{"prevent", "Add a PodDisruptionBudget to the service template", ""},
			{"process", "Announce node pool upgrades in #platform", ""},
		},
		hosts: []string{"k8s-node-", "gke-pool-"},
	},
	{
		tag: "backup", weight: 2,
		titles:   []string{"Nightly backup silently skipped", "Restore test found {svc} backups incomplete", "Backup job overloaded {host} during peak"},
		what:     []string{"backups of {svc} had been skipped for {n} days", "a restore test showed that {svc} backups were incomplete"},
		errs:     []string{"AccessDenied on snapshot bucket", "pg_dump: error: query failed", "backup exited 0 with 0 bytes"},
		codes:    []string{"AccessDenied", "exit 0"},
		cfgs:     []string{"backup.schedule", "snapshot bucket policy"},
		alerts:   []string{"BackupMissing", "RestoreTestFailed"},
		metrics:  []string{"backup size", "last successful backup"},
		triggers: []string{"The backup cron ran as a user without access to the snapshot bucket after an IAM cleanup.", "The backup script treated an empty dump as success."},
		fixes:    []string{"Access was restored and a full backup taken; a restore was tested.", "The script was fixed and backups re-run."},
		symptoms: []string{"Last backup larger than 1 MB: {n} days ago.", "The job exits 0 every night."},
		factors: []factorT{
			{"monitoring gap", "Backup success measured by exit code, not size or restore", ""},
			{"change", "IAM cleanup removed a role the backup used", ""},
			{"testing gap", "Restores not tested regularly", ""},
		},
		whys: [][]string{
			{"Backups were missing.", "The job could not write to the bucket.", "Its role was removed.", "The role had no owner tag."},
		},
		actions: []actionT{
			{"detect", "Alert when the latest backup is older than 26 hours or smaller than expected", ""},
			{"process", "Test a restore of {svc} monthly", ""},
		},
		hosts: []string{"backup-", "db-prod-"},
	},
	{
		tag: "load-balancer", weight: 4,
		titles:   []string{"Load balancer health checks removed all {svc} backends", "{svc} marked unhealthy by a too-strict health check", "Health check on a dependency took {svc} out of rotation"},
		what:     []string{"the load balancer marked every {svc} backend unhealthy", "a deep health check failed on a dependency and removed {svc} from rotation"},
		errs:     []string{"no healthy upstream", "503 Service Unavailable: back-end server is at capacity", "health check failed: status 500"},
		codes:    []string{"HTTP 503", "HTTP 502"},
		cfgs:     []string{"healthcheck.path", "unhealthy_threshold", "healthcheck.timeout"},
		alerts:   []string{"NoHealthyBackends", "AvailabilityBelowSLO"},
		metrics:  []string{"healthy hosts", "5xx rate"},
		triggers: []string{"The health check of {svc} also checked {dep}; a slowdown of {dep} failed every backend at once.", "A change set `{cfg}` to {n} ms, below the p99 of the health endpoint."},
		fixes:    []string{"Switching to a shallow health check put the backends back in rotation.", "Reverting the timeout restored the backends."},
		symptoms: []string{"Healthy hosts for {svc}: 0 of {n}.", "Backends flap between healthy and unhealthy."},
		factors: []factorT{
			{"configuration", "Deep health check includes a dependency", ""},
			{"configuration", "Health check timeout below endpoint latency", ""},
			{"monitoring gap", "No alert on healthy host count", ""},
		},
		whys: [][]string{
			{"All backends were removed.", "Their health checks failed.", "The check depends on {dep}.", "The health check pattern was copied from an older service."},
		},
		actions: []actionT{
			{"prevent", "Use shallow liveness checks for load balancer health", ""},
			{"detect", "Alert on healthy host count below 50%", ""},
		},
		hosts: []string{"lb-", "haproxy-", "elb-"},
	},
	{
		tag: "data-corruption", weight: 2,
		titles:   []string{"Duplicate charges from a non-idempotent retry", "Data corruption in {svc} after a migration", "Orders written twice during a failover"},
		what:     []string{"some {seg} were charged twice because a retry was not idempotent", "a migration wrote wrong values into {svc} records"},
		errs:     []string{"duplicate key value violates unique constraint", "checksum mismatch", "unexpected null in column"},
		codes:    []string{"SQLSTATE 23505", "HTTP 409"},
		cfgs:     []string{"idempotency key ttl", "migration batch"},
		alerts:   []string{"ReconciliationMismatch", "DuplicateChargesDetected"},
		metrics:  []string{"reconciliation mismatches", "duplicates"},
		triggers: []string{"A timeout between {svc} and {dep} was retried without an idempotency key.", "A backfill in {pr} mapped currency codes incorrectly for {big} records."},
		fixes:    []string{"Duplicates were refunded and idempotency keys added.", "Records were restored from the audit log and the backfill re-run."},
		symptoms: []string{"Reconciliation shows {n} duplicate charges since {t0} UTC.", "{big} records changed by the backfill."},
		factors: []factorT{
			{"code defect", "Retry without idempotency key", ""},
			{"testing gap", "Backfill not verified on a sample first", ""},
			{"monitoring gap", "Reconciliation runs once a day", ""},
		},
		whys: [][]string{
			{"Customers were charged twice.", "A request was sent twice.", "The retry had no idempotency key.", "The client library adds keys only for POST, and this call is a PUT."},
		},
		actions: []actionT{
			{"prevent", "Send idempotency keys on every payment call", ""},
			{"detect", "Run reconciliation hourly", ""},
		},
		hosts: []string{"db-prod-", "ledger-"},
	},
	{
		tag: "paging", weight: 2,
		titles:   []string{"Pager did not reach the on-call engineer", "Alerts for {svc} routed to a retired rotation", "Escalation policy pointed at a deleted schedule"},
		what:     []string{"alerts for {svc} fired but nobody was paged", "pages went to a rotation that no longer exists"},
		errs:     []string{"no on-call user for escalation level 1", "notification rule disabled"},
		codes:    []string{"escalation_failed"},
		cfgs:     []string{"escalation policy", "routing key", "schedule"},
		alerts:   []string{"HighErrorRate", "DeadMansSwitch"},
		metrics:  []string{"time to acknowledge", "unacknowledged pages"},
		triggers: []string{"The {team} schedule was deleted in a team reorganisation; the escalation policy still pointed at it.", "A routing key for {svc} was changed in {pr} and alerts went nowhere."},
		fixes:    []string{"Support escalated by phone; the escalation policy was fixed.", "The routing key was restored."},
		symptoms: []string{"The alert fired at {t0} UTC but the incident shows no notification.", "Time to acknowledge: {min} minutes."},
		factors: []factorT{
			{"process", "Team reorganisation did not include on-call handover", ""},
			{"monitoring gap", "No test page for escalation policies", ""},
			{"communication", "Support did not know whom to call", ""},
		},
		whys: [][]string{
			{"Nobody was paged.", "The escalation policy had no target.", "The schedule was deleted.", "Deleting a schedule does not warn about policies using it."},
		},
		actions: []actionT{
			{"detect", "Send a weekly test page through every escalation policy", ""},
			{"process", "Add on-call handover to the team-change checklist", ""},
		},
		hosts: []string{"alertmanager-"},
	},
	{
		tag: "cron", weight: 3,
		titles:   []string{"Cron job overlap doubled {svc} load", "DST change ran the {svc} batch twice", "Scheduled job stalled {dep}"},
		what:     []string{"two runs of a scheduled job overlapped and overloaded {dep}", "a batch job ran twice on the night of the daylight-saving change"},
		errs:     []string{"job already running", "lock not acquired", "duplicate run detected"},
		codes:    []string{"exit 1", "HTTP 503"},
		cfgs:     []string{"schedule", "concurrencyPolicy", "timezone"},
		alerts:   []string{"BatchDurationHigh", "DatabaseCPUHigh"},
		metrics:  []string{"job duration", "DB CPU"},
		triggers: []string{"The job took longer than its interval and the next run started on top of it.", "The cron schedule is in local time; the DST change ran it twice."},
		fixes:    []string{"The second run was killed; `concurrencyPolicy: Forbid` was set.", "The schedule was moved to UTC."},
		symptoms: []string{"Two instances of the job running on {host}.", "DB CPU at {pct} at 02:00 every night."},
		factors: []factorT{
			{"configuration", "Job schedule allows concurrent runs", ""},
			{"configuration", "Schedule in local time", ""},
			{"capacity", "Job duration grew with data volume", ""},
		},
		whys: [][]string{
			{"{dep} was overloaded at night.", "Two runs of the job overlapped.", "The job took longer than its interval.", "Data volume tripled since the schedule was set."},
		},
		actions: []actionT{
			{"prevent", "Forbid concurrent runs of the {svc} batch", ""},
			{"prevent", "Run every scheduled job in UTC", ""},
		},
		hosts: []string{"batch-", "cron-"},
	},
	{
		tag: "cdn", weight: 3,
		titles:   []string{"CDN misconfiguration served stale assets", "Cache purge at the CDN overloaded origin", "{svc} assets 404 after CDN rule change"},
		what:     []string{"the CDN served a stale or broken version of {svc}", "a global CDN purge sent all traffic to origin"},
		errs:     []string{"404 Not Found for /static/app.{sha}.js", "origin connect timeout", "X-Cache: MISS"},
		codes:    []string{"HTTP 404", "HTTP 522", "HTTP 504"},
		cfgs:     []string{"cache-control", "surrogate keys", "CDN rule"},
		alerts:   []string{"OriginLoadHigh", "ClientJSErrors"},
		metrics:  []string{"CDN hit ratio", "origin requests"},
		triggers: []string{"A CDN rule change cached HTML for 24 hours while JS bundles rotated.", "A full purge during peak sent {pct} of traffic to origin."},
		fixes:    []string{"Purging the HTML restored the page.", "Origin shield was enabled; load dropped."},
		symptoms: []string{"Clients request bundle `{sha}`, which no longer exists.", "Origin request rate up {n}x."},
		factors: []factorT{
			{"configuration", "HTML cached as long as static assets", ""},
			{"process", "Full purge used where a tag purge would do", ""},
			{"capacity", "Origin sized for cache-hit traffic only", ""},
		},
		whys: [][]string{
			{"Pages failed to load.", "HTML referenced bundles that were deleted.", "HTML was cached for a day.", "The rule was copied from the static asset rule."},
		},
		actions: []actionT{
			{"prevent", "Keep old bundles for 7 days after a release", ""},
			{"prevent", "Use surrogate-key purges instead of full purges", ""},
		},
		hosts: []string{"edge-", "origin-"},
	},
	{
		tag: "hardware", weight: 3,
		titles:   []string{"RAID controller failure on {host}", "Power loss in one rack in {az}", "Disk failure degraded {dep} cluster", "Top-of-rack switch failure isolated {n} hosts"},
		what:     []string{"a hardware failure took {host} and the services on it offline", "a rack lost power and {dep} lost part of its capacity"},
		errs:     []string{"I/O error, dev sda, sector {big}", "controller reset", "link down on eth0", "EXT4-fs error"},
		codes:    []string{"EIO", "link down"},
		cfgs:     []string{"replication factor", "rack awareness", "placement group"},
		alerts:   []string{"HostDown", "DiskErrors", "ClusterDegraded"},
		metrics:  []string{"hosts up", "under-replicated partitions"},
		triggers: []string{"The RAID controller on {host} failed.", "A power distribution unit in {az} failed.", "The top-of-rack switch for rack {n} failed."},
		fixes:    []string{"Traffic moved to the remaining hosts; the host was replaced.", "Replicas were rebuilt on other racks."},
		symptoms: []string{"`dmesg` on {host} shows I/O errors.", "{n} hosts in one rack unreachable."},
		factors: []factorT{
			{"hardware/infrastructure", "Hardware failure", ""},
			{"configuration", "Replicas not spread across racks", ""},
			{"capacity", "No spare capacity for a rack loss", ""},
		},
		whys: [][]string{
			{"{dep} lost availability.", "Several replicas were in the same rack.", "Placement is not rack-aware.", "Rack labels were never set on these hosts."},
		},
		actions: []actionT{
			{"prevent", "Make {dep} placement rack-aware", ""},
			{"prevent", "Keep capacity for the loss of one rack", ""},
		},
		hosts: []string{"db-prod-", "storage-", "kafka-broker-", "hv-"},
	},
	{
		tag: "search-index", weight: 2,
		titles:   []string{"Elasticsearch cluster red after shard relocation", "{svc} search returned empty results", "Index mapping explosion in {dep}"},
		what:     []string{"the search cluster went red and {svc} returned empty results", "a mapping explosion stalled indexing in {dep}"},
		errs:     []string{"cluster_block_exception", "Limit of total fields [1000] has been exceeded", "circuit_breaking_exception"},
		codes:    []string{"HTTP 429", "HTTP 503"},
		cfgs:     []string{"index.mapping.total_fields.limit", "cluster.routing.allocation", "indices.breaker.total.limit"},
		alerts:   []string{"ClusterRed", "IndexingRateLow"},
		metrics:  []string{"cluster health", "indexing rate"},
		triggers: []string{"A new log field per request ID created {big} fields in the mapping.", "Disk watermark reached during a shard relocation."},
		fixes:    []string{"The offending field was dropped and the index rolled over.", "Freeing disk allowed the shards to allocate."},
		symptoms: []string{"Cluster status red; {n} unassigned shards.", "Mapping has {big} fields."},
		factors: []factorT{
			{"code defect", "Dynamic field names in log events", ""},
			{"configuration", "Dynamic mapping enabled in production", ""},
			{"capacity", "Cluster near disk watermark", ""},
		},
		whys: [][]string{
			{"Search returned nothing.", "The cluster blocked writes.", "The mapping exceeded its field limit.", "Dynamic mapping was on."},
		},
		actions: []actionT{
			{"prevent", "Turn off dynamic mapping for log indices", ""},
			{"detect", "Alert on mapping field count", ""},
		},
		hosts: []string{"es-data-", "es-master-"},
	},
}
