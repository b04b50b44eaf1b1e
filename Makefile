# Debrief. Everything builds with the sqlite_fts5 tag (FTS5 is absent without it).
GO       ?= go
TAGS     := sqlite_fts5
BENCHTIME ?= 2s

# The server's own settings apply (flag, then DEBRIEF_ADDR / DEBRIEF_DB, then the defaults
# 127.0.0.1:8080 and ./data/debrief.db) unless ADDR or DB is given on make's command line:
# make run ADDR=0.0.0.0:8080 DB=/srv/debrief.db.
given    = $(filter command line override,$(origin $(1)))
SERVE_FLAGS := $(if $(call given,ADDR),--addr '$(ADDR)') $(if $(call given,DB),--db '$(DB)')
DB_FLAG     := $(if $(call given,DB),--db '$(DB)')

.PHONY: run build test bench lint lint-report fuzz demo clean

## run: build and serve on http://localhost:8080 with ./data/debrief.db (see ADDR and DB above)
run: build
	./bin/debrief serve $(SERVE_FLAGS)

## build: compile bin/debrief
build:
	$(GO) build -tags $(TAGS) -o bin/debrief ./cmd/debrief

## test: every test with the race detector (browser tests need chromium; see README).
## go test runs vet's high-confidence checks itself; the full vet is in lint.
test:
	$(GO) test -tags $(TAGS) -race -count=1 -timeout 10m ./...

## bench: the benchmarks quoted in the issues' closing notes
bench:
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

## fuzz: every fuzz target for FUZZTIME each (make fuzz FUZZTIME=60s); go test runs their seeds anyway
FUZZTIME ?= 10s
fuzz:
	@set -e; for pkg in $$($(GO) list -tags $(TAGS) ./...); do \
	  for target in $$($(GO) test -tags $(TAGS) -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$target"; \
	    $(GO) test -tags $(TAGS) -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

## lint: go vet, a gofmt check, and internal/postmortem never importing internal/store
lint:
	$(GO) vet -tags $(TAGS) ./...
	@out="$$(gofmt -l cmd internal web templates migrations)"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@if $(GO) list -tags $(TAGS) -deps ./internal/postmortem | grep -qx 'github.com/debrief-dev/debrief/internal/store'; then echo "internal/postmortem imports internal/store: use internal/model and an interface"; exit 1; fi

## lint-report: the blameless-language checks on internal/lint/testdata/corpus.jsonl: recall and false
## positives on the tune and held-out check parts, the confusion per family, and every sentence missed
lint-report:
	$(GO) test -tags $(TAGS) -count=1 -run '^TestCorpusAccuracy$$' -v ./internal/lint

## demo: load two sample incidents and two years of generated history into an empty database
demo: build
	./bin/debrief demo $(DB_FLAG) --history 300

clean:
	rm -rf bin
