# The two commands of the README. Each installs what it needs, so a fresh clone needs nothing else.
.PHONY: run test install install-test assets

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

install:
	bash scripts/install.sh

install-test:
	bash scripts/install.sh --test

assets:
	npm ci --no-audit --no-fund && npm run build
