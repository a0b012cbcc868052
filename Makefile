# studiodesk — the two commands of the README.
#   make run    install what is missing, then analyse the files in test-audio/
#   make test   install what is missing, then run the whole test suite
# Works as root or as a user with sudo (system packages are installed with sudo when not root).

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# System packages: pkg-config and the ALSA headers for cpal (audio I/O).
DEBS := pkg-config libasound2-dev

.PHONY: deps run test lint bench

deps:
	@command -v cargo >/dev/null || { echo "cargo not found: install the Rust toolchain (https://rustup.rs)"; exit 1; }
	@missing=$$(for p in $(DEBS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		$(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi

run: deps
	cargo run --release -- analyze test-audio/*.wav

test: deps
	cargo test

lint: deps
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings

bench: deps
	cargo bench --bench meter
