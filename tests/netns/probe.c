/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe: the namespace labs' traffic tool. It listens on TCP/UDP ports and
 * answers "ok", and tells whether such ports are reachable, one or many at once.
 *
 *   probe listen [--tcp PORTS] [--udp PORTS] [--pidfile F]
 *   probe connect --tcp|--udp ADDRESS PORT [--timeout-ms N] [--source ADDR]
 *                 [--sport PORT] [-v]
 *   probe many [--timeout-ms N] [--source ADDR] [-v] FILE|-
 *
 * PORTS is a comma list of ports and ranges: 22,80,443,2382-2383.
 * Exit codes: 0 open (or all passed), 1 closed (or some failed; listen: could
 * not bind), 2 usage error, 3 could not test (a local error, e.g. --source is
 * not an address of this host), so a broken probe never passes as "closed".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define EXIT_OPEN 0
#define EXIT_CLOSED 1
#define EXIT_USAGE 2
#define EXIT_ERROR 3

#define DEFAULT_TIMEOUT_MS 1000
#define MAX_TIMEOUT_MS (3600 * 1000)
#define UDP_SENDS 3			 /* datagrams per UDP probe, spread over the timeout */
#define MAX_ACTIVE 4096			 /* probes in flight at once in `many` */
#define ADDR_MAX (INET6_ADDRSTRLEN + 32) /* room for a %scope */

static const char usage_text[] =
	"usage: probe listen [--tcp PORTS] [--udp PORTS] [--pidfile FILE]\n"
	"       probe connect --tcp|--udp ADDRESS PORT [--timeout-ms N]\n"
	"                     [--source ADDR] [--sport PORT] [-v]\n"
	"       probe many [--timeout-ms N] [--source ADDR] [-v] FILE|-\n"
	"PORTS: comma list of ports and ranges, e.g. 22,80,443,2382-2383\n"
	"many reads lines 'tcp|udp ADDRESS PORT open|closed' ('#' comments)\n"
	"exit: 0 open/all passed, 1 closed/some failed, 2 usage, 3 local error\n";

static int usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "probe: MESSAGE" (or, without one, the usage) to stderr; return 2. */
static int usage(const char *fmt, ...)
{
	va_list ap;

	if (!fmt) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	fputs("probe: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (probe --help for usage)\n", stderr);
	return EXIT_USAGE;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Parse a decimal number in [min, max] that must end at *end or the string. */
static bool parse_uint(const char *s, unsigned long min, unsigned long max,
		       unsigned long *out, const char **end)
{
	char *e;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &e, 10);
	if (errno || v < min || v > max)
		return false;
	if (end)
		*end = e;
	else if (*e)
		return false;
	*out = v;
	return true;
}

struct portset {
	uint8_t bits[65536 / 8];
	unsigned int count;
};

static void portset_add(struct portset *ps, unsigned int port)
{
	if (ps->bits[port / 8] & (1u << (port % 8)))
		return;
	ps->bits[port / 8] |= 1u << (port % 8);
	ps->count++;
}

static bool portset_has(const struct portset *ps, unsigned int port)
{
	return ps->bits[port / 8] & (1u << (port % 8));
}

/* Add "22,80,2382-2383" to ps; false on any malformed item. */
static bool parse_ports(const char *s, struct portset *ps)
{
	unsigned long lo, hi, p;
	const char *e;

	for (;;) {
		if (!parse_uint(s, 1, 65535, &lo, &e))
			return false;
		hi = lo;
		if (*e == '-' && !parse_uint(e + 1, lo, 65535, &hi, &e))
			return false;
		for (p = lo; p <= hi; p++)
			portset_add(ps, (unsigned int)p);
		if (*e == '\0')
			return true;
		if (*e != ',')
			return false;
		s = e + 1;
	}
}

/* Let this process open as many sockets as the hard limit allows. */
static rlim_t raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) && getrlimit(RLIMIT_NOFILE, &rl))
			return 1024;
	}
	return rl.rlim_cur;
}

/* ---- listen ---------------------------------------------------------- */

struct listener {
	int fd;
	int type; /* SOCK_STREAM or SOCK_DGRAM */
	bool v6;  /* an AF_INET6 (dual-stack) socket */
};

/*
 * Bind a socket of this type to the port on every address: one dual-stack
 * IPv6 socket, or an IPv4 one where the kernel has no IPv6 at all.
 */
static int bind_any(int type, unsigned int port, bool *v6)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	int one = 1, zero = 0, fd, err;

	fd = socket(AF_INET6, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		a6.sin6_addr = in6addr_any;
		a6.sin6_port = htons((uint16_t)port);
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
		    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
		    (type == SOCK_DGRAM &&
		     setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)))) {
			err = errno;
			close(fd);
			errno = err;
			return -1;
		}
		if (!bind(fd, (struct sockaddr *)&a6, sizeof(a6))) {
			*v6 = true;
			return fd;
		}
		err = errno;
		close(fd);
		errno = err;
		if (err != EADDRNOTAVAIL && err != EAFNOSUPPORT)
			return -1;
	} else if (errno != EAFNOSUPPORT) {
		return -1;
	}

	fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	a4.sin_addr.s_addr = htonl(INADDR_ANY);
	a4.sin_port = htons((uint16_t)port);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (type == SOCK_DGRAM &&
	     setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one))) ||
	    bind(fd, (struct sockaddr *)&a4, sizeof(a4))) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	*v6 = false;
	return fd;
}

/* Accept every pending connection, say "ok" and close it. */
static void serve_tcp(int fd)
{
	static const char ok[] = "ok\n";
	int c;

	for (;;) {
		c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return; /* EAGAIN, or out of fds: poll again */
		}
		(void)send(c, ok, sizeof(ok) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(c);
	}
}

/* Copy the destination of the datagram in rm into a source option in cbuf. */
static size_t reply_source(struct msghdr *rm, bool v6, char *cbuf, size_t len)
{
	struct cmsghdr *cm, *om = (struct cmsghdr *)cbuf;
	struct in_pktinfo pi;

	for (cm = CMSG_FIRSTHDR(rm); cm; cm = CMSG_NXTHDR(rm, cm)) {
		if (v6 && cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_PKTINFO) {
			if (len < CMSG_SPACE(sizeof(struct in6_pktinfo)))
				return 0;
			om->cmsg_level = IPPROTO_IPV6;
			om->cmsg_type = IPV6_PKTINFO;
			om->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
			memcpy(CMSG_DATA(om), CMSG_DATA(cm), sizeof(struct in6_pktinfo));
			return CMSG_SPACE(sizeof(struct in6_pktinfo));
		}
		if (!v6 && cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_PKTINFO) {
			if (len < CMSG_SPACE(sizeof(pi)))
				return 0;
			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			pi.ipi_spec_dst = pi.ipi_addr;
			om->cmsg_level = IPPROTO_IP;
			om->cmsg_type = IP_PKTINFO;
			om->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(om), &pi, sizeof(pi));
			return CMSG_SPACE(sizeof(pi));
		}
	}
	return 0;
}

/*
 * Answer every pending datagram with "ok" to its sender, from the address
 * it was sent to (so a connected UDP client accepts the answer even when
 * this host has several addresses).
 */
static void serve_udp(const struct listener *l)
{
	static const char ok[] = "ok\n";
	struct sockaddr_storage peer;
	char data[2048];
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + 64];
		struct cmsghdr align;
	} cin, cout;
	struct iovec iov;
	struct msghdr rm, sm;
	ssize_t n;

	for (;;) {
		iov.iov_base = data;
		iov.iov_len = sizeof(data);
		memset(&rm, 0, sizeof(rm));
		rm.msg_name = &peer;
		rm.msg_namelen = sizeof(peer);
		rm.msg_iov = &iov;
		rm.msg_iovlen = 1;
		rm.msg_control = cin.buf;
		rm.msg_controllen = sizeof(cin.buf);
		n = recvmsg(l->fd, &rm, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return; /* EAGAIN, or an ICMP error: poll again */
		}

		memset(&cout, 0, sizeof(cout));
		memset(&sm, 0, sizeof(sm));
		iov.iov_base = (void *)ok;
		iov.iov_len = sizeof(ok) - 1;
		sm.msg_name = &peer;
		sm.msg_namelen = rm.msg_namelen;
		sm.msg_iov = &iov;
		sm.msg_iovlen = 1;
		sm.msg_controllen = reply_source(&rm, l->v6, cout.buf, sizeof(cout.buf));
		sm.msg_control = sm.msg_controllen ? cout.buf : NULL;
		(void)sendmsg(l->fd, &sm, MSG_DONTWAIT | MSG_NOSIGNAL);
	}
}

static int write_pidfile(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "probe: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f)) {
		fprintf(stderr, "probe: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Bind every port of tcp and udp, say "ready", then serve until killed. */
static int listen_ports(const struct portset *tcp, const struct portset *udp,
			const char *pidfile)
{
	const struct portset *sets[2] = { tcp, udp };
	const int types[2] = { SOCK_STREAM, SOCK_DGRAM };
	struct listener *ls;
	struct pollfd *pfd;
	size_t n = 0, total = (size_t)tcp->count + udp->count, i;
	unsigned int port;
	rlim_t nofile;
	int s, fd;
	bool v6;

	if (!total)
		return usage("listen: give --tcp or --udp ports");
	nofile = raise_nofile();
	if (total + 16 > nofile) {
		fprintf(stderr, "probe: %zu sockets needed, the file limit is %llu\n",
			total, (unsigned long long)nofile);
		return EXIT_CLOSED;
	}
	ls = calloc(total, sizeof(*ls));
	pfd = calloc(total, sizeof(*pfd));
	if (!ls || !pfd) {
		fputs("probe: out of memory\n", stderr);
		return EXIT_ERROR;
	}

	for (s = 0; s < 2; s++) {
		for (port = 1; port <= 65535; port++) {
			if (!portset_has(sets[s], port))
				continue;
			fd = bind_any(types[s], port, &v6);
			if (fd < 0) {
				fprintf(stderr, "probe: %s port %u: %s\n",
					s ? "udp" : "tcp", port, strerror(errno));
				return EXIT_CLOSED;
			}
			if (types[s] == SOCK_STREAM && listen(fd, SOMAXCONN)) {
				fprintf(stderr, "probe: tcp port %u: listen: %s\n",
					port, strerror(errno));
				return EXIT_CLOSED;
			}
			ls[n].fd = fd;
			ls[n].type = types[s];
			ls[n].v6 = v6;
			pfd[n].fd = fd;
			pfd[n].events = POLLIN;
			n++;
		}
	}

	if (pidfile && write_pidfile(pidfile))
		return EXIT_ERROR;
	puts("ready");
	if (fflush(stdout))
		return EXIT_ERROR;

	for (;;) {
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "probe: poll: %s\n", strerror(errno));
			return EXIT_ERROR;
		}
		for (i = 0; i < n; i++) {
			if (!pfd[i].revents)
				continue;
			if (ls[i].type == SOCK_STREAM)
				serve_tcp(ls[i].fd);
			else
				serve_udp(&ls[i]);
		}
	}
}

static int cmd_listen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tcp", required_argument, NULL, 't' },
		{ "udp", required_argument, NULL, 'u' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct portset tcp, udp;
	const char *pidfile = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (!parse_ports(optarg, &tcp))
				return usage("listen: bad port list '%s'", optarg);
			break;
		case 'u':
			if (!parse_ports(optarg, &udp))
				return usage("listen: bad port list '%s'", optarg);
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return usage("listen: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return usage("listen: unexpected argument '%s'", argv[optind]);
	return listen_ports(&tcp, &udp, pidfile);
}

/* ---- connect and many ------------------------------------------------- */

enum state {
	ST_WAIT,
	ST_CONNECTING,
	ST_READING,
	ST_DONE
};
enum result {
	RES_OPEN,
	RES_CLOSED,
	RES_ERROR
};

static const char *const result_names[] = { "open", "closed", "error" };

struct probe {
	int type;	     /* SOCK_STREAM or SOCK_DGRAM */
	char addr[ADDR_MAX]; /* as given, for the report */
	unsigned int port;
	struct sockaddr_storage sa;
	socklen_t salen;
	enum result expect; /* many: RES_OPEN or RES_CLOSED */

	enum state state;
	enum result result;
	const char *why; /* what decided the result */
	int err;	 /* errno behind why, or 0 */
	int fd;
	int64_t deadline, next_send;
	int sends;
	char buf[8];
	size_t got;
};

struct source {
	bool set;
	struct sockaddr_storage sa;
	socklen_t salen;
};

/* Resolve a numeric address ("198.18.0.1", "2001:db8::1", "[::1]") and port. */
static int resolve(const char *addr, unsigned int port, int type, bool passive,
		   struct sockaddr_storage *sa, socklen_t *salen)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = type,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | (passive ? AI_PASSIVE : 0),
	};
	struct addrinfo *res;
	char host[ADDR_MAX], serv[8];
	size_t len = strlen(addr);
	int n;

	if (len >= 2 && addr[0] == '[' && addr[len - 1] == ']') {
		addr++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(host))
		return -1;
	memcpy(host, addr, len);
	host[len] = '\0';
	n = snprintf(serv, sizeof(serv), "%u", port);
	if (n < 0 || (size_t)n >= sizeof(serv))
		return -1;
	if (getaddrinfo(host, serv, &hints, &res))
		return -1;
	if (res->ai_addrlen > sizeof(*sa)) {
		freeaddrinfo(res);
		return -1;
	}
	memcpy(sa, res->ai_addr, res->ai_addrlen);
	*salen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* Whether a socket error means "not open" (rather than a local failure). */
static bool errno_means_closed(int err)
{
	switch (err) {
	case ECONNREFUSED: /* RST, or ICMP port unreachable */
	case ECONNRESET:
	case ECONNABORTED:
	case ETIMEDOUT:
	case EHOSTUNREACH: /* ICMP host/admin unreachable, no neighbour */
	case ENETUNREACH:
	case EHOSTDOWN:
	case ENETDOWN:
	case ENONET:
	case EPROTO:
	case ENOPROTOOPT: /* ICMP protocol unreachable */
	case EPIPE:
	case EPERM: /* dropped by this host's own output filter */
	case EACCES:
		return true;
	default:
		return false;
	}
}

static void probe_finish(struct probe *p, enum result r, const char *why, int err)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	p->state = ST_DONE;
	p->result = r;
	p->why = why;
	p->err = err;
}

static void probe_fail_errno(struct probe *p, const char *what, int err)
{
	probe_finish(p, errno_means_closed(err) ? RES_CLOSED : RES_ERROR, what, err);
}

static void udp_send(struct probe *p, int64_t now, int timeout_ms)
{
	static const char hello[] = "probe\n";

	p->sends++;
	p->next_send = now + timeout_ms / UDP_SENDS;
	if (send(p->fd, hello, sizeof(hello) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
		return;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
	    errno == ENOBUFS)
		return; /* try again at next_send */
	probe_fail_errno(p, "send", errno);
}

/* Open the socket and start the connection or the first datagram. */
static void probe_start(struct probe *p, const struct source *src,
			unsigned int sport, int timeout_ms, int64_t now)
{
	int one = 1;

	p->deadline = now + timeout_ms;
	p->fd = socket(p->sa.ss_family, p->type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd < 0) {
		probe_finish(p, RES_ERROR, "socket", errno);
		return;
	}
	if (src->set) {
		if (sport)
			(void)setsockopt(p->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(p->fd, (const struct sockaddr *)&src->sa, src->salen)) {
			probe_finish(p, RES_ERROR, "bind", errno);
			return;
		}
	}
	if (connect(p->fd, (struct sockaddr *)&p->sa, p->salen)) {
		if (errno != EINPROGRESS || p->type != SOCK_STREAM) {
			probe_fail_errno(p, "connect", errno);
			return;
		}
		p->state = ST_CONNECTING;
		return;
	}
	p->state = ST_READING;
	if (p->type == SOCK_DGRAM)
		udp_send(p, now, timeout_ms);
}

/* The socket is ready: advance the connection or read the answer. */
static void probe_event(struct probe *p, short revents)
{
	socklen_t len = sizeof(int);
	int err = 0;
	ssize_t n;

	if (p->state == ST_CONNECTING) {
		if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len))
			err = errno;
		if (err) {
			probe_fail_errno(p, "connect", err);
			return;
		}
		if (!(revents & POLLOUT))
			return;
		p->state = ST_READING;
		/* the answer may already be there: fall through and read */
	}

	for (;;) {
		n = recv(p->fd, p->buf + p->got, sizeof(p->buf) - 1 - p->got, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			probe_fail_errno(p, "recv", errno);
			return;
		}
		if (p->type == SOCK_DGRAM) {
			if (n >= 2 && !memcmp(p->buf, "ok", 2)) {
				probe_finish(p, RES_OPEN, "answer", 0);
				return;
			}
			continue; /* not our answer: keep waiting */
		}
		p->got += (size_t)n;
		if (p->got >= 2) {
			if (!memcmp(p->buf, "ok", 2))
				probe_finish(p, RES_OPEN, "answer", 0);
			else
				probe_finish(p, RES_CLOSED, "wrong answer", 0);
			return;
		}
		if (n == 0) {
			probe_finish(p, RES_CLOSED, "closed without answer", 0);
			return;
		}
	}
}

/* The time has come: give up, or send the next UDP datagram. */
static void probe_timer(struct probe *p, int64_t now, int timeout_ms)
{
	if (now >= p->deadline) {
		probe_finish(p, RES_CLOSED, "timeout", 0);
		return;
	}
	if (p->type == SOCK_DGRAM && p->state == ST_READING &&
	    p->sends < UDP_SENDS && now >= p->next_send)
		udp_send(p, now, timeout_ms);
}

/*
 * Run every probe, up to MAX_ACTIVE (and the file limit) at a time, each
 * with its own timeout from when it starts: n filtered probes take about
 * one timeout, not n.
 */
static int run_probes(struct probe *ps, size_t n, const struct source *src,
		      unsigned int sport, int timeout_ms)
{
	size_t max_active = MAX_ACTIVE, active = 0, next = 0, i, k;
	struct pollfd *pfd;
	size_t *idx;
	int64_t now, wake;
	rlim_t nofile = raise_nofile();
	int wait;

	if (nofile < 64)
		max_active = 16;
	else if (nofile - 32 < max_active)
		max_active = nofile - 32;
	pfd = calloc(max_active, sizeof(*pfd));
	idx = calloc(max_active, sizeof(*idx));
	if (!pfd || !idx) {
		free(pfd);
		free(idx);
		fputs("probe: out of memory\n", stderr);
		return -1;
	}

	for (;;) {
		now = now_ms();
		while (active < max_active && next < n) {
			probe_start(&ps[next], src, sport, timeout_ms, now);
			next++;
			active++; /* recounted below */
		}

		/* collect the probes in flight; fire the timers due */
		active = 0;
		wake = INT64_MAX;
		for (i = 0; i < next; i++) {
			struct probe *p = &ps[i];

			if (p->state == ST_DONE)
				continue;
			probe_timer(p, now, timeout_ms);
			if (p->state == ST_DONE)
				continue;
			if (p->deadline < wake)
				wake = p->deadline;
			if (p->type == SOCK_DGRAM && p->sends < UDP_SENDS &&
			    p->next_send < wake)
				wake = p->next_send;
			pfd[active].fd = p->fd;
			pfd[active].events = p->state == ST_CONNECTING ? POLLOUT : POLLIN;
			pfd[active].revents = 0;
			idx[active] = i;
			active++;
		}
		if (!active && next == n)
			break;
		if (!active)
			continue;

		wait = wake - now > INT_MAX ? INT_MAX : (int)(wake - now);
		if (wait < 0)
			wait = 0;
		if (poll(pfd, active, wait) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "probe: poll: %s\n", strerror(errno));
			free(pfd);
			free(idx);
			return -1;
		}
		for (k = 0; k < active; k++) {
			if (pfd[k].revents)
				probe_event(&ps[idx[k]], pfd[k].revents);
		}
		active = 0;
		for (i = 0; i < next; i++)
			active += ps[i].state != ST_DONE;
	}
	free(pfd);
	free(idx);
	return 0;
}

static bool parse_timeout(const char *s, int *out)
{
	unsigned long v;

	if (!parse_uint(s, 1, MAX_TIMEOUT_MS, &v, NULL))
		return false;
	*out = (int)v;
	return true;
}

static bool parse_source(const char *addr, const char *sport_s, unsigned int *sport,
			 struct source *src)
{
	unsigned long v = 0;

	if (sport_s && !parse_uint(sport_s, 1, 65535, &v, NULL))
		return false;
	*sport = (unsigned int)v;
	if (resolve(addr ? addr : "::", *sport, 0, true, &src->sa, &src->salen))
		return false;
	src->set = true;
	return true;
}

/* Describe why a probe ended, e.g. "connect: Connection refused". */
static void describe(const struct probe *p, char *buf, size_t len)
{
	int n;

	if (p->err)
		n = snprintf(buf, len, "%s: %s", p->why, strerror(p->err));
	else
		n = snprintf(buf, len, "%s", p->why ? p->why : "?");
	if (n < 0 || (size_t)n >= len)
		buf[len - 1] = '\0'; /* truncated is fine for a message */
}

static int cmd_connect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tcp", no_argument, NULL, 't' },
		{ "udp", no_argument, NULL, 'u' },
		{ "timeout-ms", required_argument, NULL, 'T' },
		{ "source", required_argument, NULL, 's' },
		{ "sport", required_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct probe p = { .fd = -1 };
	struct source src = { .set = false };
	const char *source = NULL, *sport_s = NULL;
	unsigned long port;
	unsigned int sport = 0;
	int c, type = 0, timeout_ms = DEFAULT_TIMEOUT_MS;
	bool verbose = false;
	char why[160];
	int n;

	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 't':
		case 'u':
			if (type)
				return usage("connect: give one of --tcp and --udp");
			type = c == 't' ? SOCK_STREAM : SOCK_DGRAM;
			break;
		case 'T':
			if (!parse_timeout(optarg, &timeout_ms))
				return usage("connect: bad timeout '%s'", optarg);
			break;
		case 's':
			source = optarg;
			break;
		case 'S':
			sport_s = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return usage("connect: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!type)
		return usage("connect: give --tcp or --udp");
	if (argc - optind != 2)
		return usage("connect: give ADDRESS and PORT");
	if (!parse_uint(argv[optind + 1], 1, 65535, &port, NULL))
		return usage("connect: bad port '%s'", argv[optind + 1]);

	p.type = type;
	p.port = (unsigned int)port;
	n = snprintf(p.addr, sizeof(p.addr), "%s", argv[optind]);
	if (n < 0 || (size_t)n >= sizeof(p.addr) ||
	    resolve(p.addr, p.port, type, false, &p.sa, &p.salen))
		return usage("connect: bad address '%s'", argv[optind]);
	if ((source || sport_s) && !parse_source(source, sport_s, &sport, &src))
		return usage("connect: bad --source or --sport");
	if (src.set && src.sa.ss_family != p.sa.ss_family) {
		/* "::" as the default source of --sport serves IPv4 too */
		if (source || p.sa.ss_family != AF_INET ||
		    resolve("0.0.0.0", sport, 0, true, &src.sa, &src.salen))
			return usage("connect: --source and ADDRESS differ in family");
	}

	if (run_probes(&p, 1, &src, sport, timeout_ms))
		return EXIT_ERROR;
	describe(&p, why, sizeof(why));
	if (p.result == RES_ERROR) {
		fprintf(stderr, "probe: %s %s %u: %s\n", type == SOCK_STREAM ? "tcp" : "udp",
			p.addr, p.port, why);
		return EXIT_ERROR;
	}
	if (verbose)
		printf("%s (%s)\n", result_names[p.result], why);
	return p.result == RES_OPEN ? EXIT_OPEN : EXIT_CLOSED;
}

/* Split a line into at most max whitespace-separated fields; -1 if more. */
static int split(char *line, char **field, int max)
{
	int n = 0;
	char *s = line;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		if (!*s || *s == '#')
			return n;
		if (n == max)
			return -1;
		field[n++] = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			s++;
		if (*s)
			*s++ = '\0';
	}
}

/* Read the "tcp|udp ADDRESS PORT open|closed" lines of f into *out. */
static int read_plan(FILE *f, const char *name, struct probe **out, size_t *count)
{
	struct probe *ps = NULL, *p;
	size_t n = 0, cap = 0, lineno = 0;
	char *line = NULL, *field[4];
	size_t linecap = 0;
	unsigned long port;
	int nf, len;

	while (getline(&line, &linecap, f) >= 0) {
		lineno++;
		nf = split(line, field, 4);
		if (nf == 0)
			continue;
		if (nf != 4) {
			fprintf(stderr, "probe: %s:%zu: want 'tcp|udp ADDRESS PORT open|closed'\n",
				name, lineno);
			goto bad;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct probe *np = realloc(ps, ncap * sizeof(*ps));

			if (!np) {
				fputs("probe: out of memory\n", stderr);
				goto bad;
			}
			ps = np;
			cap = ncap;
		}
		p = &ps[n];
		memset(p, 0, sizeof(*p));
		p->fd = -1;
		if (!strcmp(field[0], "tcp"))
			p->type = SOCK_STREAM;
		else if (!strcmp(field[0], "udp"))
			p->type = SOCK_DGRAM;
		else {
			fprintf(stderr, "probe: %s:%zu: bad protocol '%s'\n", name, lineno, field[0]);
			goto bad;
		}
		if (!parse_uint(field[2], 1, 65535, &port, NULL)) {
			fprintf(stderr, "probe: %s:%zu: bad port '%s'\n", name, lineno, field[2]);
			goto bad;
		}
		p->port = (unsigned int)port;
		len = snprintf(p->addr, sizeof(p->addr), "%s", field[1]);
		if (len < 0 || (size_t)len >= sizeof(p->addr) ||
		    resolve(p->addr, p->port, p->type, false, &p->sa, &p->salen)) {
			fprintf(stderr, "probe: %s:%zu: bad address '%s'\n", name, lineno, field[1]);
			goto bad;
		}
		if (!strcmp(field[3], "open"))
			p->expect = RES_OPEN;
		else if (!strcmp(field[3], "closed"))
			p->expect = RES_CLOSED;
		else {
			fprintf(stderr, "probe: %s:%zu: expect 'open' or 'closed', not '%s'\n",
				name, lineno, field[3]);
			goto bad;
		}
		n++;
	}
	if (ferror(f)) {
		fprintf(stderr, "probe: %s: %s\n", name, strerror(errno));
		goto bad;
	}
	free(line);
	*out = ps;
	*count = n;
	return 0;
bad:
	free(line);
	free(ps);
	return -1;
}

static int cmd_many(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout-ms", required_argument, NULL, 'T' },
		{ "source", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct source src = { .set = false };
	struct probe *ps;
	const char *name, *source = NULL;
	size_t n, i, passed = 0, failed = 0;
	unsigned int sport = 0;
	int c, timeout_ms = DEFAULT_TIMEOUT_MS;
	bool verbose = false, ok;
	char why[160];
	FILE *f;

	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 'T':
			if (!parse_timeout(optarg, &timeout_ms))
				return usage("many: bad timeout '%s'", optarg);
			break;
		case 's':
			source = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return usage("many: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return usage("many: give one FILE, or - for standard input");
	if (source && !parse_source(source, NULL, &sport, &src))
		return usage("many: bad --source '%s'", source);

	name = argv[optind];
	if (!strcmp(name, "-")) {
		f = stdin;
		name = "<stdin>";
	} else {
		f = fopen(name, "r");
		if (!f) {
			fprintf(stderr, "probe: %s: %s\n", name, strerror(errno));
			return EXIT_USAGE;
		}
	}
	if (read_plan(f, name, &ps, &n)) {
		if (f != stdin)
			fclose(f);
		return EXIT_USAGE;
	}
	if (f != stdin)
		fclose(f);
	if (!n) {
		/* an empty plan is a broken lab, not a passing one */
		fprintf(stderr, "probe: %s: no probes\n", name);
		free(ps);
		return EXIT_USAGE;
	}
	for (i = 0; i < n; i++) {
		if (src.set && src.sa.ss_family != ps[i].sa.ss_family) {
			fprintf(stderr, "probe: --source %s cannot reach %s\n", source, ps[i].addr);
			free(ps);
			return EXIT_USAGE;
		}
	}

	if (run_probes(ps, n, &src, 0, timeout_ms)) {
		free(ps);
		return EXIT_ERROR;
	}
	for (i = 0; i < n; i++) {
		ok = ps[i].result == ps[i].expect;
		if (ok)
			passed++;
		else
			failed++;
		printf("%s %s %s %u expected=%s got=%s",
		       ok ? "PASS" : "FAIL", ps[i].type == SOCK_STREAM ? "tcp" : "udp",
		       ps[i].addr, ps[i].port, result_names[ps[i].expect],
		       result_names[ps[i].result]);
		if (!ok || verbose) {
			describe(&ps[i], why, sizeof(why));
			printf(" (%s)", why);
		}
		putchar('\n');
	}
	printf("%zu passed, %zu failed\n", passed, failed);
	free(ps);
	if (fflush(stdout))
		return EXIT_ERROR;
	return failed ? EXIT_CLOSED : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(NULL);
	/* a peer closing early must not kill a listener or a prober */
	signal(SIGPIPE, SIG_IGN);
	opterr = 0;
	if (!strcmp(argv[1], "listen"))
		return cmd_listen(argc - 1, argv + 1);
	if (!strcmp(argv[1], "connect"))
		return cmd_connect(argc - 1, argv + 1);
	if (!strcmp(argv[1], "many"))
		return cmd_many(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	return usage("unknown command '%s'", argv[1]);
}
