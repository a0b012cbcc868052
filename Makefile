# studiodesk — the two commands of the README.
#   make run    install what is missing, then open the desk (live meters; the built-in demo
#               session plays when there is no audio interface)
#   make test   install what is missing, then run the whole test suite
# Works as root or as a user with sudo (system packages are installed with sudo when not root).

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# System packages: pkg-config and the ALSA headers for cpal (audio I/O), and the libraries the
# window loads at run time (OpenGL/EGL with Mesa's software renderer as a fallback, X11, xkbcommon) ...
RUN_DEBS := pkg-config libasound2-dev libgl1 libegl1 libgl1-mesa-dri libx11-6 libx11-xcb1 \
	libxcursor1 libxrandr2 libxi6 libxkbcommon-x11-0
# ... and for the tests, JACK's server and headers (the engine on JACK's dummy driver), Mesa's
# software Vulkan driver (the desk's snapshot images render through wgpu without a GPU), and
# fluidsynth with the General MIDI soundfont (the sound check's sessions of sampled instruments),
# poppler's pdftotext (invoices are read back from their PDF), FFmpeg's ffprobe and mediainfo
# (recorded takes' broadcast-WAV chunks are read back by both), and PostgreSQL's server and psql
# (the studio suite runs a second time on a real server the tests start themselves).
TEST_DEBS := $(RUN_DEBS) jackd2 libjack-jackd2-dev mesa-vulkan-drivers procps \
	fluidsynth fluid-soundfont-gm poppler-utils ffmpeg mediainfo postgresql

# $(call install,PACKAGES): apt-get install those of PACKAGES that are missing.
define install
	@command -v cargo >/dev/null || { echo "cargo not found: install the Rust toolchain (https://rustup.rs)"; exit 1; }
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		$(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi
endef

.PHONY: run test lint bench

# The dev profile (dependencies fully optimised, see Cargo.toml) shares its build with `make test`
# and builds in a third of the time a release build of the GUI toolkit takes on two cores.
run:
	$(call install,$(RUN_DEBS))
	cargo run -- desk

test:
	$(call install,$(TEST_DEBS))
	cargo test
	STUDIODESK_TEST_STORE=postgres cargo test --test studio --test money --test bwf --test ui
	cargo test --features jack --lib --test engine_jack --test desk_jack
	cargo test --features snapshots --test ui snapshots

lint:
	$(call install,$(TEST_DEBS))
	cargo fmt --all -- --check
	cargo clippy --all-targets --all-features -- -D warnings
	cargo clippy --no-default-features -- -D warnings

bench:
	$(call install,$(RUN_DEBS) ffmpeg postgresql)
	cargo bench --bench meter --bench engine --bench soundcheck --bench formats --bench facility
