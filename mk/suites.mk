# Real suites (issue 4, docs/testing.md "Real suites"), included by the Makefile.
#   make busybox-suite     Debian's busybox test suite, host Linux vs our kernel (known gaps listed)
#   make bash-suite        tests/bash-suite/scripts/*.sh under bash-static, host vs our kernel
#   make bash-interactive  bash -i with job control on the console, driven through the serial port

.PHONY: busybox-suite bash-suite bash-interactive

busybox-suite: deps kernel
	@bash tests/busybox-suite/run.sh

bash-suite: deps kernel
	@bash tests/bash-suite/run.sh

bash-interactive: deps kernel
	@bash tests/bash-interactive/run.sh
