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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fwgen/kernel.h>

#include "cli.h"

#define CONFIRM_FIFO "confirm"
#define CONFIRM_WORD "confirm"

static const char apply_usage[] =
	"Usage: fwgen apply [-i INVENTORY] [--topology T] --role R [--role R2...]\n"
	"                   [--confirm SECONDS [--wait] | --boot] [--force] [--strict]\n"
	"                   [--table NAME] [--audit|--enforce] [-q]\n"
	"\n"
	"Replaces fwgen's table in the kernel with the host's ruleset in one\n"
	"transaction; no other table is touched. The kernel state afterwards is\n"
	"what `nft -f` of `fwgen print` gives.\n"
	"\n"
	"  -i, --inventory FILE  addresses of the roles, params, options (YAML)\n"
	"  -t, --topology T      the topology (overrides the inventory's)\n"
	"  -r, --role R          a host role of this host; repeat for several\n"
	"      --confirm SECONDS keep the new ruleset only if `fwgen confirm`\n"
	"                        keeps it within SECONDS; otherwise a detached\n"
	"                        watchdog puts the previous table back exactly.\n"
	"                        Returns at once (exit 0) once the table is live\n"
	"      --wait            with --confirm: wait here instead (type 'yes', or\n"
	"                        `fwgen confirm` elsewhere); 'no', Ctrl-C or the\n"
	"                        time running out roll back and exit 1\n"
	"      --boot            apply the last confirmed inventory (kept in\n"
	"                        FWGEN_STATE_DIR, default /var/lib/fwgen) instead\n"
	"                        of -i when there is one: what fwgen.service runs\n"
	"      --force           apply even if this SSH session's client would be\n"
	"                        locked out (SSH_CONNECTION), or the table of that\n"
	"                        name was not made by fwgen, or (--confirm) the\n"
	"                        previous table cannot be put back\n"
	"      --strict          a peer role not bound in the inventory is an error\n"
	"      --audit           count and accept what enforce mode would drop\n"
	"      --enforce         drop it (both win over the inventory's 'mode')\n"
	"      --table NAME      the inet table fwgen owns (default fwgen)\n"
	"  -q, --quiet           print nothing on success\n"
	"  -h, --help            this text\n"
	"\n"
	"Another fwgen changing the ruleset is waited for up to FWGEN_LOCK_TIMEOUT\n"
	"seconds (default 30). Needs CAP_NET_ADMIN.\n"
	"Exit status: 0 applied, 1 (--wait) not confirmed and rolled back, 2 error (nothing\n"
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
	"Usage: fwgen remove [--table NAME] [--force] [-q]\n"
	"\n"
	"Deletes fwgen's table (default inet fwgen) and nothing else. A table that\n"
	"is not there is reported and is not an error. A table of that name that\n"
	"fwgen did not create (no comment \"managed by fwgen\") is refused unless\n"
	"--force.\n"
	"\n"
	"Exit status: 0 removed or not there, 2 error.\n";

static const char confirm_usage[] =
	"Usage: fwgen confirm [--status] [-q]\n"
	"\n"
	"Keeps the ruleset a pending `fwgen apply --confirm SECONDS` applied, in\n"
	"this network namespace, before its rollback fires. With --status, shows\n"
	"the pending rollback and its deadline instead.\n"
	"\n"
	"Exit status: 0 confirmed (--status: a rollback is pending), 1 --status:\n"
	"none is pending, 2 no apply is waiting (or another error).\n";

/*
 * The last confirmed inventory, kept across reboots for the boot path:
 * `apply --boot` applies it rather than the file it is given, so that a
 * reboot inside a confirm window never makes the unconfirmed ruleset
 * permanent. Not per network namespace: namespaces do not survive a
 * reboot, and the boot path serves the host's.
 */
#define STATE_DIR_DEFAULT "/var/lib/fwgen"
#define CONFIRMED_FILE "confirmed.yaml"

static const char *state_dir(void)
{
	const char *d = getenv("FWGEN_STATE_DIR");

	return d && *d ? d : STATE_DIR_DEFAULT;
}

/*
 * The state directory, created 0700, ours and written by nobody else: its
 * descriptor, or a negative errno.
 */
static int state_dir_open(void)
{
	const char *dir = state_dir();
	struct stat st;
	int fd;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

static void state_write(int dfd, const char *name, const char *text);

/* Records what was just confirmed (a plain apply is confirmed at once). */
static void save_confirmed(const struct cli_session *s)
{
	int dfd = state_dir_open();

	if (dfd < 0) {
		fprintf(stderr, "fwgen: warning: cannot keep the confirmed inventory in %s (%s); the boot path applies its own file\n",
			state_dir(), strerror(-dfd));
		return;
	}
	if (s->inv_text) {
		char *text = strndup(s->inv_text, s->inv_len);

		if (text)
			state_write(dfd, CONFIRMED_FILE, text);
		free(text);
	} else {
		unlinkat(dfd, CONFIRMED_FILE, 0);
	}
	close(dfd);
}

/* --boot: the last confirmed inventory, when there is one, replaces -i. */
static char boot_path[4096];

static const char *boot_inventory(const char *given, bool quiet)
{
	struct stat st;
	int dfd = state_dir_open();

	if (dfd < 0)
		return given;
	if (fstatat(dfd, CONFIRMED_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	    (size_t)snprintf(boot_path, sizeof(boot_path), "%s/%s", state_dir(),
			     CONFIRMED_FILE) < sizeof(boot_path)) {
		close(dfd);
		if (!quiet)
			printf("fwgen: boot: applying the last confirmed inventory %s\n",
			       boot_path);
		return boot_path;
	}
	close(dfd);
	return given;
}

/* Confirmation */

/*
 * The files of a pending confirmation, in the network namespace's runtime
 * directory (fwgen_ctx_state_dir(): ours, 0700, symlinks refused):
 * "confirm" the FIFO `fwgen confirm` writes "confirm <nonce>" to,
 * "pending" "<pid> <deadline, epoch seconds> <table>" while a rollback is
 * armed, "result" the last outcome ("confirmed <nonce>", "rolled-back",
 * "failed").
 */
#define PENDING_FILE "pending"
#define RESULT_FILE "result"

struct waiter {
	struct fwgen_ctx *ctx;
	const struct cli_session *session;
	bool quiet;
	bool detached;
	int report_fd; /* detached: the pipe to the applying process */
	const char *table;
	char dir[4096];
	int dfd;
};

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* 1 for yes, 0 for no, -EINVAL for anything else. */
static int answer(const char *line)
{
	char word[16];

	if (sscanf(line, "%15s", word) != 1)
		return -EINVAL;
	if (!strcasecmp(word, "yes") || !strcasecmp(word, "y") ||
	    !strcasecmp(word, CONFIRM_WORD))
		return 1;
	if (!strcasecmp(word, "no") || !strcasecmp(word, "n"))
		return 0;
	return -EINVAL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Opens the namespace's runtime directory (checked by the library): its
 * descriptor, or a negative errno after printing why.
 */
static int state_open(struct fwgen_ctx *ctx, char *dir, size_t len)
{
	int fd;

	if (fwgen_ctx_state_dir(ctx, dir, len) < 0)
		return cli_fail(ctx);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		cli_failf("cannot open %s: %s", dir, strerror(err));
		return -err;
	}
	return fd;
}

/* Replaces a small state file: written aside, renamed over, never followed. */
static void state_write(int dfd, const char *name, const char *text)
{
	char tmp[64];
	int fd;

	snprintf(tmp, sizeof(tmp), ".%s.%ld", name, (long)getpid());
	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return;
	if (write(fd, text, strlen(text)) < 0 || renameat(dfd, tmp, dfd, name) < 0)
		unlinkat(dfd, tmp, 0);
	close(fd);
}

/*
 * Reads a small state file (regular, ours) into buf; a negative errno when
 * it is absent or not to be trusted.
 */
static int state_read(int dfd, const char *name, char *buf, size_t len)
{
	struct stat st;
	ssize_t n;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		close(fd);
		return -EPERM;
	}
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return 0;
}

static void ignore_signals(void)
{
	static const int sigs[] = { SIGHUP, SIGPIPE, SIGQUIT, SIGUSR1, SIGUSR2,
				    SIGALRM, SIGVTALRM, SIGPROF, SIGTSTP,
				    SIGTTIN, SIGTTOU };
	struct sigaction ign = { .sa_handler = SIG_IGN };
	size_t i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &ign, NULL);
}

/*
 * Called by the library once the new table is live: makes the FIFO and the
 * pending record, tells a detached apply's parent, and waits for "yes" on
 * the terminal (--wait) or "confirm" on the FIFO. Signals other than
 * SIGINT/SIGTERM (which roll back at once) are ignored: nothing but the
 * deadline or an answer ends the wait. Returns 1 confirmed, 0 not.
 */
static int wait_confirm(void *data, unsigned int seconds)
{
	struct sigaction sa = { .sa_handler = on_interrupt };
	struct waiter *w = data;
	bool tty = !w->detached && isatty(STDIN_FILENO);
	double deadline = now() + seconds;
	int rfd = -1, wfd = -1, ret = 0;
	char buf[256], rec[512];

	interrupted = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ignore_signals();

	/* We hold the lock: a FIFO left here is a dead apply's. */
	unlinkat(w->dfd, CONFIRM_FIFO, 0);
	if (mkfifoat(w->dfd, CONFIRM_FIFO, 0600) == 0) {
		rfd = openat(w->dfd, CONFIRM_FIFO,
			     O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
		/* Our own writer: the FIFO never reports hang-up. */
		if (rfd >= 0)
			wfd = openat(w->dfd, CONFIRM_FIFO,
				     O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	}
	if (rfd < 0 && w->detached) {
		/* Nobody could confirm: roll back now rather than later. */
		return 0;
	}
	snprintf(rec, sizeof(rec), "%ld %lld %s\n", (long)getpid(),
		 (long long)time(NULL) + seconds, w->table);
	state_write(w->dfd, PENDING_FILE, rec);
	if (w->detached) {
		snprintf(rec, sizeof(rec), "L %ld %u\n", (long)getpid(), seconds);
		if (write(w->report_fd, rec, strlen(rec)) < 0) {
			/* The applying process is gone: the rollback stays. */
		}
		close(w->report_fd);
		w->report_fd = -1;
	} else {
		if (rfd < 0)
			fprintf(stderr, "fwgen: cannot create %s/%s (%s); confirm on the terminal\n",
				w->dir, CONFIRM_FIFO, strerror(errno));
		if (!w->quiet || tty)
			fprintf(stderr,
				"fwgen: table inet %s is live. Keep it? Type 'yes'%s or run 'fwgen confirm' within %u s; otherwise the previous table comes back.\n",
				w->table, tty ? " here" : " (no terminal here)",
				seconds);
	}

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
				char *c;

				buf[n] = '\0';
				c = strstr(buf, CONFIRM_WORD);
				if (c) {
					c[strcspn(c, "\n")] = '\0';
					snprintf(rec, sizeof(rec), "confirmed%s\n",
						 c + strlen(CONFIRM_WORD));
					save_confirmed(w->session);
					state_write(w->dfd, RESULT_FILE, rec);
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
				if (ret == 1)
					save_confirmed(w->session);
				break;
			}
			fprintf(stderr, "fwgen: type 'yes' to keep the new ruleset, 'no' to roll back now\n");
		}
	}
	if (wfd >= 0)
		close(wfd);
	if (rfd >= 0) {
		close(rfd);
		unlinkat(w->dfd, CONFIRM_FIFO, 0);
	}
	if (ret == 1)
		unlinkat(w->dfd, PENDING_FILE, 0);
	return ret;
}

/* After the library returned: the record of what happened. */
static void confirm_done(struct waiter *w, int ret)
{
	if (ret == 1)
		state_write(w->dfd, RESULT_FILE, "rolled-back\n");
	else if (ret < 0)
		state_write(w->dfd, RESULT_FILE, "failed\n");
	if (ret != 0)
		unlinkat(w->dfd, PENDING_FILE, 0);
}

static int report_result(struct cli_session *s, const struct cli_opts *o,
			 int ret)
{
	if (ret == 1) {
		cli_failf("%s", fwgen_ctx_error(s->ctx));
		return CLI_DIFFERENT;
	}
	if (ret == 0) {
		if (!o->quiet)
			printf("fwgen: table inet %s applied and confirmed\n",
			       fwgen_policy_table(s->pol));
		return 0;
	}
	return cli_fail(s->ctx);
}

/* The OOM killer must not pick the watchdog (nor, by inheritance, its guard). */
static void oom_protect(void)
{
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, "-1000", 5) < 0) {
		/* Without CAP_SYS_RESOURCE: the guard still covers it. */
	}
	close(fd);
}

/*
 * apply --confirm without --wait: the whole apply runs in a child in its
 * own session, so that the rollback depends neither on this process nor
 * on its terminal or SSH session: killing this process group, or the
 * session dropping, leaves the child waiting for `fwgen confirm` or the
 * deadline. This process only relays whether the table went live.
 */
static int apply_detached(struct cli_session *s, const struct cli_opts *o,
			  struct waiter *w, unsigned int flags)
{
	char buf[1100];
	size_t got = 0;
	int p[2], ret;
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0) {
		ret = -errno;
		cli_failf("apply: pipe: %s", strerror(-ret));
		return ret;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		cli_failf("apply: fork: %s", strerror(-ret));
		close(p[0]);
		close(p[1]);
		return ret;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		close(p[0]);
		setsid();
		ignore_signals();
		oom_protect();
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		w->report_fd = p[1];
		ret = fwgen_policy_apply_confirmed(s->ctx, s->pol, flags,
						   (unsigned int)o->confirm_seconds,
						   wait_confirm, w);
		if (w->report_fd >= 0) {
			/* It never went live: say why. */
			snprintf(buf, sizeof(buf), "E %s\n", fwgen_ctx_error(s->ctx));
			if (write(w->report_fd, buf, strlen(buf)) < 0) {
				/* Nobody to tell. */
			}
		}
		confirm_done(w, ret);
		/* 1: rolled back (fwgen_policy_apply_confirmed()). */
		_exit(cli_exit_status(ret == 1 ? CLI_DIFFERENT : ret));
	}
	close(p[1]);
	while (got < sizeof(buf) - 1 &&
	       (n = read(p[0], buf + got, sizeof(buf) - 1 - got)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		got += (size_t)n;
	}
	close(p[0]);
	buf[got] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (buf[0] == 'L') {
		long wpid = 0;
		unsigned int secs = 0;

		sscanf(buf, "L %ld %u", &wpid, &secs);
		if (!o->quiet)
			printf("fwgen: table inet %s applied; it is rolled back in %u s unless 'fwgen confirm' keeps it (watchdog pid %ld)\n",
			       w->table, secs, wpid);
		return 0;
	}
	/* The child ended before the table went live. */
	waitpid(pid, &ret, 0);
	if (buf[0] == 'E')
		return cli_failf("%s", buf + 2);
	return cli_failf("apply: the detached apply ended without a word (status %d)",
			 ret);
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
	if (ret < 0 || o.help)
		return ret;
	if (o.wait && o.confirm_seconds <= 0)
		return cli_failf("apply: --wait goes with --confirm SECONDS");
	if (o.boot && o.confirm_seconds > 0)
		return cli_failf("apply: --boot applies the last confirmed ruleset; it takes no --confirm");
	if (o.boot)
		o.inventory = boot_inventory(o.inventory, o.quiet);
	ret = cli_load_policy(&o, &s);
	if (ret < 0) {
		cli_session_release(&s);
		return ret;
	}
	flags = o.force ? FWGEN_APPLY_FORCE : 0;
	if (o.confirm_seconds > 0) {
		/* A second process rolls back if the waiting one dies. */
		flags |= FWGEN_APPLY_GUARD;
		struct waiter w = {
			.ctx = s.ctx,
			.session = &s,
			.quiet = o.quiet,
			.detached = !o.wait,
			.report_fd = -1,
			.table = fwgen_policy_table(s.pol),
		};

		w.dfd = state_open(s.ctx, w.dir, sizeof(w.dir));
		if (w.dfd < 0) {
			ret = w.dfd;
		} else if (w.detached) {
			ret = apply_detached(&s, &o, &w, flags);
			close(w.dfd);
		} else {
			ret = fwgen_policy_apply_confirmed(s.ctx, s.pol, flags,
							   (unsigned int)o.confirm_seconds,
							   wait_confirm, &w);
			confirm_done(&w, ret);
			close(w.dfd);
			ret = report_result(&s, &o, ret);
		}
	} else if (fwgen_policy_apply(s.ctx, s.pol, flags) < 0) {
		ret = cli_fail(s.ctx);
	} else {
		save_confirmed(&s);
		if (!o.quiet)
			printf("fwgen: table inet %s applied\n",
			       fwgen_policy_table(s.pol));
		ret = 0;
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
	if (ret < 0 || o.help)
		return ret;
	ret = cli_load_policy(&o, &s);
	if (ret < 0) {
		cli_session_release(&s);
		return ret;
	}
	if (fwgen_policy_check(s.ctx, s.pol) < 0) {
		ret = cli_fail(s.ctx);
	} else {
		if (!o.quiet)
			printf("fwgen: the kernel accepts table inet %s (nothing was committed)\n",
			       fwgen_policy_table(s.pol));
		ret = 0;
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

	ret = cli_parse(argc, argv, CLI_OPT_TABLE | CLI_OPT_QUIET | CLI_OPT_FORCE,
			remove_usage, &o);
	if (ret < 0 || o.help)
		return ret;
	if (o.nargs > 0)
		return cli_failf("remove: unexpected argument '%s'", o.args[0]);
	table = o.table ? o.table : FWGEN_DEFAULT_TABLE;
	ctx = cli_ctx_new();
	if (!ctx)
		return -ENOMEM;
	ret = fwgen_table_remove_flags(ctx, table,
				       o.force ? FWGEN_APPLY_FORCE : 0);
	if (ret == -ENOENT) {
		if (!o.quiet)
			printf("fwgen: table inet %s is not there; nothing to remove\n",
			       table);
		ret = 0;
	} else if (ret < 0) {
		ret = cli_fail(ctx);
	} else {
		if (!o.quiet)
			printf("fwgen: table inet %s removed\n", table);
		ret = 0;
	}
	fwgen_ctx_free(ctx);
	return ret;
}

static int confirm_status(int dfd, const struct cli_opts *o)
{
	char rec[512], table[256] = "";
	long long deadline = 0;
	long pid = 0;

	if (state_read(dfd, PENDING_FILE, rec, sizeof(rec)) < 0 ||
	    sscanf(rec, "%ld %lld %255s", &pid, &deadline, table) != 3) {
		if (!o->quiet)
			printf("fwgen: no rollback is pending\n");
		return CLI_DIFFERENT;
	}
	if (pid <= 0 || (kill((pid_t)pid, 0) < 0 && errno == ESRCH)) {
		if (!o->quiet)
			printf("fwgen: no rollback is pending (a stale record of pid %ld)\n",
			       pid);
		return CLI_DIFFERENT;
	}
	if (!o->quiet) {
		time_t t = (time_t)deadline;
		char when[64];

		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
		printf("fwgen: table inet %s is not confirmed: rolled back at %s (%lld s left) unless 'fwgen confirm' keeps it (watchdog pid %ld)\n",
		       table, when, deadline - (long long)time(NULL), pid);
	}
	return 0;
}

int cmd_confirm(int argc, char **argv)
{
	struct fwgen_ctx *ctx;
	struct cli_opts o;
	char dir[4096], word[64], res[128];
	struct stat st;
	double until;
	int dfd, fd, ret;

	ret = cli_parse(argc, argv, CLI_OPT_QUIET | CLI_OPT_STATUS,
			confirm_usage, &o);
	if (ret < 0 || o.help)
		return ret;
	if (o.nargs > 0)
		return cli_failf("confirm: unexpected argument '%s'", o.args[0]);
	ctx = cli_ctx_new();
	if (!ctx)
		return -ENOMEM;
	dfd = state_open(ctx, dir, sizeof(dir));
	if (dfd < 0) {
		fwgen_ctx_free(ctx);
		return dfd;
	}
	fwgen_ctx_free(ctx);
	if (o.status) {
		ret = confirm_status(dfd, &o);
		close(dfd);
		return ret;
	}
	/* Non-blocking: with nobody reading, open fails (ENXIO) at once. */
	fd = openat(dfd, CONFIRM_FIFO,
		    O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		close(dfd);
		if (err == ENOENT || err == ENXIO)
			return cli_failf("confirm: no 'fwgen apply --confirm' is waiting (%s/%s)",
					 dir, CONFIRM_FIFO);
		if (err == ELOOP)
			return cli_failf("confirm: %s/%s is a symlink: not trusted",
					 dir, CONFIRM_FIFO);
		return cli_failf("confirm: cannot open %s/%s: %s", dir,
				 CONFIRM_FIFO, strerror(err));
	}
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode) || st.st_uid != geteuid()) {
		close(fd);
		close(dfd);
		return cli_failf("confirm: %s/%s is not a FIFO of ours: not trusted",
				 dir, CONFIRM_FIFO);
	}
	snprintf(word, sizeof(word), CONFIRM_WORD " %ld\n", (long)getpid());
	if (write(fd, word, strlen(word)) != (ssize_t)strlen(word)) {
		ret = errno ? -errno : -EIO;
		cli_failf("confirm: writing to %s/%s failed: %s", dir,
			  CONFIRM_FIFO, strerror(-ret));
		close(fd);
		close(dfd);
		return ret;
	}
	close(fd);
	/* Confirmed only once the waiting apply says it kept the table. */
	word[strcspn(word, "\n")] = '\0';
	until = now() + 10;
	ret = -ETIMEDOUT;
	while (now() < until) {
		if (state_read(dfd, RESULT_FILE, res, sizeof(res)) == 0 &&
		    !strncmp(res, "confirmed", 9) &&
		    !strncmp(res + 9, word + strlen(CONFIRM_WORD),
			     strlen(word) - strlen(CONFIRM_WORD))) {
			ret = 0;
			break;
		}
		usleep(20 * 1000);
	}
	close(dfd);
	if (ret < 0)
		return cli_failf("confirm: the waiting apply did not acknowledge within 10 s; see 'fwgen confirm --status'");
	if (!o.quiet)
		printf("fwgen: confirmed\n");
	return ret;
}
