/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one way a catalog or an inventory is read: a file or a buffer made
 * into a document, handed to the loader, and freed. Files are read whole,
 * bounded, without blocking on a FIFO.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "yaml-doc.h"

int yd_load_file(struct fwgen_ctx *ctx, const char *path,
		 enum yd_parser parser, struct yd_doc **out)
{
	const struct src_loc file = { .file = path };
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd, ret;

	*out = NULL;
	/* Non-blocking: opening a FIFO for reading would wait for a writer. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return ctx_err_at(ctx, ctx_sys_errno(errno), &file, "%s",
				  strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ctx_err_at(ctx, -EINVAL, &file, "not a regular file");
	}
	if ((unsigned long long)st.st_size > YD_MAX_FILE_SIZE) {
		close(fd);
		return ctx_err_at(ctx, -EINVAL, &file, "larger than %u MiB",
				  YD_MAX_FILE_SIZE >> 20);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return ctx_nomem(ctx);
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	ret = yd_load_buf_with(ctx, path, buf, got, parser, out);
	free(buf);
	return ret;
}

/* Hands a loaded document to the loader and frees it, whatever it says. */
static int consume(struct fwgen_ctx *ctx, struct yd_doc *doc, yd_loader load,
		   void *arg)
{
	int ret = load(ctx, doc, arg);

	yd_free(doc);
	return ret;
}

int yd_read_file(struct fwgen_ctx *ctx, const char *path,
		 enum yd_parser parser, yd_loader load, void *arg)
{
	struct yd_doc *doc;
	int ret = yd_load_file(ctx, path, parser, &doc);

	return ret < 0 ? ret : consume(ctx, doc, load, arg);
}

int yd_read_buf(struct fwgen_ctx *ctx, const char *name, const char *buf,
		size_t len, enum yd_parser parser, yd_loader load, void *arg)
{
	struct yd_doc *doc;
	int ret = yd_load_buf_with(ctx, name, buf, len, parser, &doc);

	return ret < 0 ? ret : consume(ctx, doc, load, arg);
}
