# Real hosts: tguard in Ardour 7 (ardour7-lua), jalv on a JACK dummy
# server, lilv's lv2apply and a private headless PipeWire filter-chain, the
# Windows build under wine (host-test/win/win.mk), the Debian package, and the installation
# conventions (install, install-user, uninstall, DESTDIR, dist). Included from the Makefile. Each check is a script in
# host-test/hosts/; run.sh runs them and prints one summary line.
#
#   make check-hosts            every check (installs the hosts first)
#   make check-hosts HOSTS="jalv pipewire"   some of them
#   make check-hosts HOSTS=deb  the Debian package alone, installed into /usr
#                               and purged (root or sudo; skipped without them)

DEBS_HOSTS = ardour jalv jackd2 pipewire pipewire-bin wireplumber lilv-utils sordi $(DEBS_WIN) $(DEBS_WINE)
HOSTS ?= ardour jalv lv2apply pipewire install dist wine deb

.PHONY: check-hosts deps-hosts

# Install what is missing, only when something is (as deps-auto does).
deps-hosts:
	@$(MAKE) --no-print-directory deps-auto DEBS="$(DEBS_HOSTS)"

check-hosts: all deps-hosts
	@sh host-test/hosts/run.sh $(HOSTS)
