/* The benchmark's yardstick: a bare libmicrohttpd server answering "hello" to everything, with
 * the daemon flags and options wenming uses (internal polling thread, epoll, inter-thread
 * channel, a pool of N threads, keep-alive, 24 KiB per connection), so wenming's figures can be
 * read as a fraction of what the HTTP library alone does on the same machine in the same run.
 * Usage: hello PORT THREADS   (PORT 0 picks a free port; loopback only; SIGTERM/SIGINT stop it) */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <microhttpd.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char body[] = "hello\n";

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
	struct MHD_Response *resp = cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload_data;
	/* Bodies (if any) are read and dropped: answer once the upload is complete. */
	if (*req_cls == NULL) {
		*req_cls = (void *)1;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	return MHD_queue_response(conn, MHD_HTTP_OK, resp);
}

static long parse_arg(const char *s, long min, long max, const char *what)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "hello: bad %s '%s' (want %ld..%ld)\n", what, s, min, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: hello PORT THREADS\n");
		return 2;
	}
	int port = (int)parse_arg(argv[1], 0, 65535, "port");
	unsigned threads = (unsigned)parse_arg(argv[2], 1, 256, "threads");

	/* Block the stop signals before MHD starts its threads, so they all inherit the mask and
	 * only sigwait below sees them. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
	if (!resp ||
	    MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8") != MHD_YES) {
		fprintf(stderr, "hello: cannot build the response\n");
		return 1;
	}

	/* As src/http/server.c starts wenming's daemon: a pool only from 2 threads on, 24 KiB of
	 * per-connection memory (16 KiB headers + 8 KiB). */
	struct MHD_Daemon *d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0,
	    NULL, NULL, on_request, resp, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_THREAD_POOL_SIZE, threads > 1 ? threads : 0u, MHD_OPTION_CONNECTION_TIMEOUT,
	    30u, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(24 * 1024), MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "hello: cannot listen on 127.0.0.1:%d\n", port);
		MHD_destroy_response(resp);
		return 1;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(stderr, "hello: listening on http://127.0.0.1:%u\n",
	        info ? (unsigned)info->port : (unsigned)port);

	int sig = 0;
	sigwait(&stop, &sig);
	MHD_stop_daemon(d);
	MHD_destroy_response(resp);
	return 0;
}
