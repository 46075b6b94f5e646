/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `fwgen apply`, `check`, `remove` and `confirm`: the commands that touch
 * the kernel. The library does the work; this file waits for a confirmation
 * on the terminal or the FIFO `fwgen confirm` writes to.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <fwgen/kernel.h>

#include "cli.h"

#define CONFIRM_FIFO "confirm"
#define CONFIRM_WORD "confirm"

static const char apply_usage[] =
	"Usage: fwgen apply [-i INVENTORY] [--topology T] --role R [--role R2...]\n"
	"                   [--confirm SECONDS] [--force] [--strict] [--table NAME] [-q]\n"
	"                   [--audit|--enforce]\n"
	"\n"
	"Replaces fwgen's table in the kernel with the host's ruleset in one\n"
	"transaction; no other table is touched. The kernel state afterwards is\n"
	"what `nft -f` of `fwgen print` gives.\n"
	"\n"
	"  -i, --inventory FILE  addresses of the roles, params, options (YAML)\n"
	"  -t, --topology T      the topology (overrides the inventory's)\n"
	"  -r, --role R          a host role of this host; repeat for several\n"
	"      --confirm SECONDS keep the new ruleset only if confirmed within\n"
	"                        SECONDS (type 'yes' here, or run `fwgen confirm`\n"
	"                        in another session); otherwise ('no', Ctrl-C or\n"
	"                        the time running out) put the previous table\n"
	"                        back exactly and exit 1\n"
	"      --force           apply even if this SSH session's client would be\n"
	"                        locked out (SSH_CONNECTION)\n"
	"      --strict          a peer role not bound in the inventory is an error\n"
	"      --audit           count and accept what enforce mode would drop\n"
	"      --enforce         drop it (both win over the inventory's 'mode')\n"
	"      --table NAME      the inet table fwgen owns (default fwgen)\n"
	"  -q, --quiet           print nothing on success\n"
	"  -h, --help            this text\n"
	"\n"
	"Another fwgen changing the ruleset is waited for up to FWGEN_LOCK_TIMEOUT\n"
	"seconds (default 30). Needs CAP_NET_ADMIN.\n"
	"Exit status: 0 applied, 1 not confirmed and rolled back, 2 error (nothing\n"
	"changed).\n";

static const char check_usage[] =
	"Usage: fwgen check [-i INVENTORY] [--topology T] --role R [--role R2...]\n"
	"                   [--strict] [--table NAME] [-q] [--audit|--enforce]\n"
	"\n"
	"Sends the ruleset to the kernel to validate, without committing it (as\n"
	"`nft -c` does): nothing changes.\n"
	"\n"
	"Exit status: 0 the kernel accepts it, 2 it does not, or another error.\n";

static const char remove_usage[] =
	"Usage: fwgen remove [--table NAME] [-q]\n"
	"\n"
	"Deletes fwgen's table (default inet fwgen) and nothing else. A table that\n"
	"is not there is reported and is not an error.\n"
	"\n"
	"Exit status: 0 removed or not there, 2 error.\n";

static const char confirm_usage[] =
	"Usage: fwgen confirm\n"
	"\n"
	"Keeps the ruleset that `fwgen apply --confirm SECONDS` is waiting about,\n"
	"from another session.\n"
	"\n"
	"Exit status: 0 confirmed, 2 no apply is waiting (or another error).\n";

static int fifo_path(char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", fwgen_run_dir(), CONFIRM_FIFO);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Confirmation */

struct waiter {
	bool quiet;
	const char *table;
};

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* 1 for yes, 0 for no, -1 for anything else. */
static int answer(const char *line)
{
	char word[16];

	if (sscanf(line, "%15s", word) != 1)
		return -1;
	if (!strcasecmp(word, "yes") || !strcasecmp(word, "y") ||
	    !strcasecmp(word, CONFIRM_WORD))
		return 1;
	if (!strcasecmp(word, "no") || !strcasecmp(word, "n"))
		return 0;
	return -1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Waits for "yes" on the terminal or "confirm" on the FIFO. A lost SSH
 * session sends SIGHUP: that must not kill us before the rollback, so it
 * is ignored; Ctrl-C or SIGTERM roll back at once. Returns 1 confirmed,
 * 0 not.
 */
static int wait_confirm(void *data, unsigned int seconds)
{
	struct sigaction sa = { .sa_handler = on_interrupt }, old_int, old_term;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_hup, old_pipe;
	const struct waiter *w = data;
	bool tty = isatty(STDIN_FILENO);
	double deadline = now() + seconds;
	int rfd = -1, wfd = -1, ret = 0;
	char path[4096], buf[256];

	interrupted = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &ign, &old_hup);
	sigaction(SIGPIPE, &ign, &old_pipe);

	if (fifo_path(path, sizeof(path)) == 0) {
		/* We hold the lock: a FIFO left here is a dead apply's. */
		unlink(path);
		if (mkfifo(path, 0600) == 0) {
			rfd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
			/* Our own writer: the FIFO never reports hang-up. */
			if (rfd >= 0)
				wfd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		}
		if (rfd < 0)
			fprintf(stderr, "fwgen: cannot create %s (%s); confirm on the terminal\n",
				path, strerror(errno));
	}
	if (!w->quiet || tty)
		fprintf(stderr,
			"fwgen: table inet %s is live. Keep it? Type 'yes'%s or run 'fwgen confirm' within %u s; otherwise the previous table comes back.\n",
			w->table, tty ? " here" : " (no terminal here)", seconds);

	while (!interrupted) {
		struct pollfd p[2] = { { .fd = tty ? STDIN_FILENO : -1, .events = POLLIN },
				       { .fd = rfd, .events = POLLIN } };
		double left = deadline - now();
		ssize_t n;

		if (left <= 0)
			break;
		if (poll(p, 2, (int)(left * 1000) + 1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents & POLLIN) {
			n = read(rfd, buf, sizeof(buf) - 1);
			if (n > 0) {
				buf[n] = '\0';
				if (strstr(buf, CONFIRM_WORD)) {
					ret = 1;
					break;
				}
			}
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (!fgets(buf, sizeof(buf), stdin)) {
				/* The terminal is gone: the FIFO still counts. */
				tty = false;
				continue;
			}
			n = answer(buf);
			if (n >= 0) {
				/* "no" rolls back now rather than at the deadline. */
				ret = (int)n;
				break;
			}
			fprintf(stderr, "fwgen: type 'yes' to keep the new ruleset, 'no' to roll back now\n");
		}
	}
	if (wfd >= 0)
		close(wfd);
	if (rfd >= 0) {
		close(rfd);
		unlink(path);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	return ret;
}

/* Commands */

int cmd_apply(int argc, char **argv)
{
	struct cli_session s;
	struct cli_opts o;
	unsigned int flags;
	int ret;

	ret = cli_parse(argc, argv,
			CLI_OPT_POLICY | CLI_OPT_MODE | CLI_OPT_CONFIRM |
				CLI_OPT_FORCE | CLI_OPT_QUIET,
			apply_usage, &o);
	if (ret >= 0)
		return ret;
	ret = cli_load_policy(&o, &s);
	if (ret >= 0) {
		cli_session_release(&s);
		return ret;
	}
	flags = o.force ? FWGEN_APPLY_FORCE : 0;
	if (o.confirm_seconds > 0) {
		struct waiter w = { .quiet = o.quiet,
				    .table = fwgen_policy_table(s.pol) };

		ret = fwgen_policy_apply_confirmed(s.ctx, s.pol, flags,
						   (unsigned int)o.confirm_seconds,
						   wait_confirm, &w);
		if (ret == 1) {
			cli_failf("%s", fwgen_ctx_error(s.ctx));
			ret = EXIT_DIFF;
		} else if (ret == 0) {
			if (!o.quiet)
				printf("fwgen: table inet %s applied and confirmed\n",
				       fwgen_policy_table(s.pol));
			ret = EXIT_OK;
		} else {
			ret = cli_fail(s.ctx);
		}
	} else if (fwgen_policy_apply(s.ctx, s.pol, flags) < 0) {
		ret = cli_fail(s.ctx);
	} else {
		if (!o.quiet)
			printf("fwgen: table inet %s applied\n",
			       fwgen_policy_table(s.pol));
		ret = EXIT_OK;
	}
	cli_session_release(&s);
	return ret;
}

int cmd_check(int argc, char **argv)
{
	struct cli_session s;
	struct cli_opts o;
	int ret;

	ret = cli_parse(argc, argv, CLI_OPT_POLICY | CLI_OPT_MODE | CLI_OPT_QUIET, check_usage,
			&o);
	if (ret >= 0)
		return ret;
	ret = cli_load_policy(&o, &s);
	if (ret >= 0) {
		cli_session_release(&s);
		return ret;
	}
	if (fwgen_policy_check(s.ctx, s.pol) < 0) {
		ret = cli_fail(s.ctx);
	} else {
		if (!o.quiet)
			printf("fwgen: the kernel accepts table inet %s (nothing was committed)\n",
			       fwgen_policy_table(s.pol));
		ret = EXIT_OK;
	}
	cli_session_release(&s);
	return ret;
}

int cmd_remove(int argc, char **argv)
{
	struct fwgen_ctx *ctx;
	struct cli_opts o;
	const char *table;
	int ret;

	ret = cli_parse(argc, argv, CLI_OPT_TABLE | CLI_OPT_QUIET, remove_usage,
			&o);
	if (ret >= 0)
		return ret;
	if (o.nargs > 0)
		return cli_failf("remove: unexpected argument '%s'", o.args[0]);
	table = o.table ? o.table : FWGEN_DEFAULT_TABLE;
	ctx = fwgen_ctx_new();
	if (!ctx)
		return cli_failf("out of memory");
	ret = fwgen_table_remove(ctx, table);
	if (ret == -ENOENT) {
		if (!o.quiet)
			printf("fwgen: table inet %s is not there; nothing to remove\n",
			       table);
		ret = EXIT_OK;
	} else if (ret < 0) {
		ret = cli_fail(ctx);
	} else {
		if (!o.quiet)
			printf("fwgen: table inet %s removed\n", table);
		ret = EXIT_OK;
	}
	fwgen_ctx_free(ctx);
	return ret;
}

int cmd_confirm(int argc, char **argv)
{
	static const char word[] = CONFIRM_WORD "\n";
	struct cli_opts o;
	char path[4096];
	int fd, ret;

	ret = cli_parse(argc, argv, CLI_OPT_QUIET, confirm_usage, &o);
	if (ret >= 0)
		return ret;
	if (o.nargs > 0)
		return cli_failf("confirm: unexpected argument '%s'", o.args[0]);
	if (fifo_path(path, sizeof(path)) < 0)
		return cli_failf("confirm: runtime directory name too long");
	/* Non-blocking: with nobody reading, open fails (ENXIO) at once. */
	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENXIO)
			return cli_failf("confirm: no 'fwgen apply --confirm' is waiting (%s)",
					 path);
		return cli_failf("confirm: cannot open %s: %s", path,
				 strerror(errno));
	}
	if (write(fd, word, sizeof(word) - 1) != (ssize_t)sizeof(word) - 1) {
		ret = cli_failf("confirm: writing to %s failed: %s", path,
				strerror(errno));
		close(fd);
		return ret;
	}
	close(fd);
	if (!o.quiet)
		printf("fwgen: confirmed\n");
	return EXIT_OK;
}
