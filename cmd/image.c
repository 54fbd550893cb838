/* SPDX-License-Identifier: GPL-2.0-only */
/* image: publish, serve, fetch and multicast appliance images. */
#include <stdio.h>
#include <string.h>

#include "cmd/image.h"
#include "core/core.h"

APPLET(image, "publish, serve and fetch images (HTTP, multicast)",
       "usage: kvmbox image COMMAND ...\n"
       "  publish [--name NAME] [--chunk SIZE] [--catalog FILE]... RAW|IMAGE DIR\n"
       "        pack RAW (an image already packed is taken as is) into\n"
       "        DIR/images/HEX.img with its manifest HEX.img.manifest, files any\n"
       "        static HTTP server can serve; with --catalog, point the disk\n"
       "        line of appliance NAME (default: RAW's name) at it; prints HEX\n"
       "  serve [--port P] [--bind ADDR] [--log FILE] DIR\n"
       "        a small HTTP/1.1 server of DIR for demos and tests (GET, HEAD,\n"
       "        Range, keep-alive); default 127.0.0.1 port 8080\n"
       "  fetch [--cache DIR] [--rate BYTES/S] [--sha256 HEX] [--timeout S]\n"
       "        [--progress] URL\n"
       "        fetch URL.manifest then the image into the store of DIR (default:\n"
       "        cache_dir of /run/kvmbox/boot.conf), every chunk verified as it\n"
       "        arrives; a run after an interruption continues where it\n"
       "        stopped; prints the installed image's path\n"
       "  mcast-send [--rate BYTES/S] [--iface IF] [--group ADDR[:PORT]] [--manifest FILE]\n"
       "        [--chunk SIZE] [--wait-receivers N] [--wait S] [--wol MAC,...] IMAGE\n"
       "        send IMAGE to every receiver on the LAN by multicast (default group\n"
       "        239.255.77.1:9077, TTL 1); prints a summary line\n"
       "  mcast-recv [--cache DIR] [--iface IF] [--group ADDR[:PORT]] [--http URL] [--timeout S]\n"
       "        [--manifest-sha256 M] [--image-sha256 D] [--progress]\n"
       "        receive one session into the store, every chunk verified; chunks\n"
       "        still missing at the end come from URL (the image's URL); prints HEX\n"
       "        --manifest-sha256 M (old name --sha256): follow only a session whose\n"
       "        manifest text has SHA-256 M (sha256sum HEX.img.manifest); others are\n"
       "        ignored. --image-sha256 D: take only the image whose SHA-256 is D\n"
       "        (the HEX the catalog names); a session of another image fails\n"
       "Exit status: 0 done, 1 failed (one line on stderr says why), 2 usage.");

static const struct {
	const char *name;
	int (*main)(int argc, char **argv);
} commands[] = {
	{ "publish", image_publish_main },
	{ "serve", image_serve_main },
	{ "fetch", image_fetch_main },
	{ "mcast-send", image_mcast_send_main },
	{ "mcast-recv", image_mcast_recv_main },
};

int image_main(int argc, char **argv)
{
	if (wants_help(&applet_image, argc, argv))
		return 0;
	if (argc < 2)
		return usage_error(&applet_image, "needs a COMMAND");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].main(argc - 1, argv + 1);
	return usage_error(&applet_image, "unknown command '%s'", argv[1]);
}
