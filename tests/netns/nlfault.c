// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nlfault: an LD_PRELOAD shim for the safe-apply tests that makes netlink
 * lose what the kernel says, so that fwgen has to settle an apply whose
 * acknowledgements never arrived. Set in the environment:
 *
 *   NLFAULT_RCVBUF=N    every SO_RCVBUF/SO_RCVBUFFORCE asks for N bytes
 *                       instead (the kernel then really drops acks: ENOBUFS)
 *   NLFAULT_DROP_ACKS=1 after each netlink sendmsg(), whatever the kernel
 *                       queued is read and thrown away, and the next recv()
 *                       fails with ENOBUFS
 *   NLFAULT_SWALLOW=1   netlink sendmsg() claims success without sending:
 *                       the batch never reaches the kernel (with
 *                       NLFAULT_DROP_ACKS the lost acks then show at once)
 *   NLFAULT_NTH=N       the two above only for the Nth netlink sendmsg()
 *                       of the process (1 the first), the others untouched
 *
 * Each fault fired is counted on stderr as "nlfault: ..." lines.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

static int lose_next;
static int nsent;

static int env_int(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? atoi(v) : 0;
}

static int is_netlink(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	return getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
	       ss.ss_family == AF_NETLINK;
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	static int (*real)(int, int, int, const void *, socklen_t);
	int small = env_int("NLFAULT_RCVBUF");

	if (!real)
		real = (int (*)(int, int, int, const void *, socklen_t))
			dlsym(RTLD_NEXT, "setsockopt");
	if (small > 0 && level == SOL_SOCKET &&
	    (name == SO_RCVBUF || name == SO_RCVBUFFORCE)) {
		fprintf(stderr, "nlfault: receive buffer %d instead of %d\n",
			small, *(const int *)val);
		return real(fd, level, SO_RCVBUF, &small, sizeof(small));
	}
	return real(fd, level, name, val, len);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	static ssize_t (*real)(int, const struct msghdr *, int);
	static ssize_t (*real_recv)(int, void *, size_t, int);
	ssize_t n = 0;
	size_t i;
	char buf[65536];

	if (!real) {
		real = (ssize_t(*)(int, const struct msghdr *, int))
			dlsym(RTLD_NEXT, "sendmsg");
		real_recv = (ssize_t(*)(int, void *, size_t, int))
			dlsym(RTLD_NEXT, "recv");
	}
	if (!is_netlink(fd))
		return real(fd, msg, flags);
	nsent++;
	if (env_int("NLFAULT_NTH") && env_int("NLFAULT_NTH") != nsent)
		return real(fd, msg, flags);
	if (env_int("NLFAULT_SWALLOW")) {
		for (i = 0; i < msg->msg_iovlen; i++)
			n += (ssize_t)msg->msg_iov[i].iov_len;
		fprintf(stderr, "nlfault: swallowed a batch of %zd bytes\n", n);
	} else {
		n = real(fd, msg, flags);
	}
	if (n >= 0 && env_int("NLFAULT_DROP_ACKS")) {
		int dropped = 0;

		while (real_recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			dropped++;
		fprintf(stderr, "nlfault: dropped %d reads of acknowledgements\n",
			dropped);
		lose_next = 1;
	}
	return n;
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	static ssize_t (*real)(int, void *, size_t, int);

	if (!real)
		real = (ssize_t(*)(int, void *, size_t, int))dlsym(RTLD_NEXT, "recv");
	if (lose_next) {
		lose_next = 0;
		errno = ENOBUFS;
		return -1;
	}
	return real(fd, buf, len, flags);
}
