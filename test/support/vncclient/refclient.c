/*
 * refclient - a small reference RFB client built on libvncclient, used by the
 * end-to-end tests as an implementation that is independent of our server.
 *
 *   refclient HOST:PORT --format F --encodings "zrle hextile ..."
 *             [--password-file P] [--user NAME] [--ca-file CA.pem] [--shared 0|1]
 *
 * --password-file serves VNC Authentication and, with --user, VeNCrypt's
 * Plain subtypes; --ca-file is the certificate the X509 subtypes must chain
 * to (libvncclient refuses them without one).
 *
 * All decoding is done by libvncclient. The framebuffer kept here holds the
 * pixels exactly as they travel on the wire in the requested pixel format
 * (libvncclient's default GotBitmap/GotCopyRect/GotFillRect handlers write
 * into client->frameBuffer; we never install our own).
 *
 * stdout protocol (one line per event, flushed immediately):
 *   CONNECTED <w> <h> <desktop name>   after rfbInitClient succeeded
 *   UPDATE <n> <k> [x,y,wxh ...]        after the n-th completed FramebufferUpdate,
 *                                       k = number of decoded rectangles (pseudo
 *                                       rectangles excluded), at most 32 listed,
 *                                       followed by "..." when truncated
 *   RESIZE <w> <h>                      the framebuffer was reallocated after connect
 *   ERROR <reason>                      fatal; the process exits with status 1
 *
 * stdin commands (one per line); each gets exactly one reply line, in order:
 *   dump PATH           -> DUMPED <w> <h> <bytesPerPixel>   (file: w*h*Bpp bytes, row-major)
 *   request full        -> REQUESTED                        (non-incremental FramebufferUpdateRequest)
 *   pointer X Y MASK    -> OK                               (PointerEvent)
 *   key KEYSYM 0|1      -> OK                               (KeyEvent, keysym in decimal or 0x hex)
 *   quit                -> process exits with status 0 (no reply)
 *   anything failing    -> CMDERROR <reason>
 * End of file on stdin behaves like quit, so the client never outlives its parent's pipe.
 *
 * Diagnostics from libvncclient go to stderr.
 */

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rfb/rfbclient.h>

/* ------------------------------------------------------------------------- */
/* pixel formats                                                              */

typedef struct {
  const char *name;
  int bitsPerPixel, depth, bigEndian;
  int redMax, greenMax, blueMax;
  int redShift, greenShift, blueShift;
} FormatDef;

static const FormatDef kFormats[] = {
    {"rgb888le", 32, 24, 0, 255, 255, 255, 16, 8, 0},
    {"rgb888be", 32, 24, 1, 255, 255, 255, 16, 8, 0},
    {"rgbx888be", 32, 24, 1, 255, 255, 255, 24, 16, 8},
    {"bgr888le", 32, 24, 0, 255, 255, 255, 0, 8, 16},
    {"rgb565le", 16, 16, 0, 31, 63, 31, 11, 5, 0},
    {"rgb565be", 16, 16, 1, 31, 63, 31, 11, 5, 0},
    {"bgr233", 8, 8, 0, 7, 7, 3, 0, 3, 6},
};

/* Encoding names libvncclient 0.9.14 understands in appData.encodingsString.
 * libvncclient matches with strncasecmp(token, name, tokenLength), so an
 * abbreviated token such as "hex" would silently select hextile; we only
 * accept exact names. */
static const char *const kEncodingNames[] = {"raw",  "copyrect", "tight", "hextile", "zlib", "zlibhex", "trle",
                                             "zrle", "zywrle",   "ultra", "corre",   "rre",  NULL};

/* ------------------------------------------------------------------------- */
/* state                                                                      */

#define MAX_LISTED_RECTS 32

static int g_connected = 0;
static unsigned long g_updates = 0;
static int g_rectCount = 0;
static char g_rectSummary[MAX_LISTED_RECTS * 32 + 8];
static size_t g_rectSummaryLen = 0;
static char *g_password = NULL;
static char *g_user = NULL;
static char *g_caFile = NULL;
static char g_lastLog[512];

static void emit(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stdout, fmt, ap);
  va_end(ap);
  fputc('\n', stdout);
  fflush(stdout);
}

static void fatal(const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  /* keep the ERROR line a single line */
  for (char *p = buf; *p; p++)
    if (*p == '\n' || *p == '\r') *p = ' ';
  emit("ERROR %s", buf);
  exit(1);
}

/* libvncclient logging: forward to stderr, remember the last message so that
 * a failed rfbInitClient can report why. */
static void logToStderr(const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  vsnprintf(g_lastLog, sizeof g_lastLog, format, ap);
  va_end(ap);
  size_t n = strlen(g_lastLog);
  while (n > 0 && (g_lastLog[n - 1] == '\n' || g_lastLog[n - 1] == '\r')) g_lastLog[--n] = '\0';
  fprintf(stderr, "[libvncclient] %s\n", g_lastLog);
  fflush(stderr);
}

/* ------------------------------------------------------------------------- */
/* libvncclient callbacks                                                     */

static rfbBool mallocFrameBuffer(rfbClient *client) {
  size_t bytesPerPixel = (size_t)client->format.bitsPerPixel / 8;
  size_t size = (size_t)client->width * (size_t)client->height * bytesPerPixel;
  free(client->frameBuffer);
  client->frameBuffer = NULL;
  if (client->width <= 0 || client->height <= 0) return FALSE;
  client->frameBuffer = calloc(size, 1);
  if (client->frameBuffer == NULL) {
    fprintf(stderr, "refclient: cannot allocate %zu bytes for the framebuffer\n", size);
    return FALSE;
  }
  if (g_connected) emit("RESIZE %d %d", client->width, client->height);
  return TRUE;
}

static void gotFrameBufferUpdate(rfbClient *client, int x, int y, int w, int h) {
  (void)client;
  if (g_rectCount < MAX_LISTED_RECTS) {
    int n = snprintf(g_rectSummary + g_rectSummaryLen, sizeof g_rectSummary - g_rectSummaryLen, " %d,%d,%dx%d", x, y,
                     w, h);
    if (n > 0 && (size_t)n < sizeof g_rectSummary - g_rectSummaryLen) g_rectSummaryLen += (size_t)n;
  }
  g_rectCount++;
}

static void finishedFrameBufferUpdate(rfbClient *client) {
  (void)client;
  g_updates++;
  emit("UPDATE %lu %d%s%s", g_updates, g_rectCount, g_rectSummary, g_rectCount > MAX_LISTED_RECTS ? " ..." : "");
  g_rectCount = 0;
  g_rectSummaryLen = 0;
  g_rectSummary[0] = '\0';
}

/* libvncclient frees the returned pointer after use */
static char *getPassword(rfbClient *client) {
  (void)client;
  if (g_password == NULL) {
    fprintf(stderr, "refclient: server asked for a password but none was given (--password-file)\n");
    return strdup("");
  }
  return strdup(g_password);
}

/* VeNCrypt asks for the CA file (X509 subtypes) and the user name and
 * password (Plain subtypes) here. libvncclient frees the strings and the
 * union itself, so every field is malloc'd. */
static rfbCredential *getCredential(rfbClient *client, int credentialType) {
  (void)client;
  rfbCredential *c = calloc(1, sizeof *c);
  if (c == NULL) return NULL;
  if (credentialType == rfbCredentialTypeX509) {
    if (g_caFile == NULL) {
      fprintf(stderr, "refclient: server wants X509 but no --ca-file was given\n");
      free(c);
      return NULL;
    }
    c->x509Credential.x509CACertFile = strdup(g_caFile);
    return c;
  }
  if (credentialType == rfbCredentialTypeUser) {
    if (g_user == NULL || g_password == NULL) {
      fprintf(stderr, "refclient: server wants a user name and password but --user or --password-file is missing\n");
      free(c);
      return NULL;
    }
    c->userCredential.username = strdup(g_user);
    c->userCredential.password = strdup(g_password);
    return c;
  }
  free(c);
  return NULL;
}

/* ------------------------------------------------------------------------- */
/* helpers                                                                    */

static char *readPasswordFile(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) fatal("cannot open password file %s: %s", path, strerror(errno));
  char buf[1024];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  /* first line only, without the line terminator */
  buf[strcspn(buf, "\r\n")] = '\0';
  return strdup(buf);
}

static int writeAll(int fd, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static void cmdDump(rfbClient *client, const char *path) {
  size_t bytesPerPixel = (size_t)client->format.bitsPerPixel / 8;
  size_t size = (size_t)client->width * (size_t)client->height * bytesPerPixel;
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    emit("CMDERROR dump: cannot open %s: %s", path, strerror(errno));
    return;
  }
  if (client->frameBuffer == NULL || writeAll(fd, client->frameBuffer, size) != 0) {
    int e = errno;
    close(fd);
    emit("CMDERROR dump: cannot write %s: %s", path, client->frameBuffer == NULL ? "no framebuffer" : strerror(e));
    return;
  }
  if (close(fd) != 0) {
    emit("CMDERROR dump: cannot close %s: %s", path, strerror(errno));
    return;
  }
  emit("DUMPED %d %d %zu", client->width, client->height, bytesPerPixel);
}

static int parseLong(const char *s, long *out) {
  char *end = NULL;
  errno = 0;
  long v = strtol(s, &end, 0);
  if (errno != 0 || end == s || *end != '\0') return 0;
  *out = v;
  return 1;
}

/* returns 0 to keep running, 1 to quit */
static int handleCommand(rfbClient *client, char *line) {
  size_t len = strlen(line);
  while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ')) line[--len] = '\0';
  if (len == 0) return 0;

  if (strcmp(line, "quit") == 0) return 1;

  if (strncmp(line, "dump ", 5) == 0) {
    cmdDump(client, line + 5);
    return 0;
  }

  if (strcmp(line, "request full") == 0) {
    if (!SendFramebufferUpdateRequest(client, 0, 0, client->width, client->height, FALSE))
      fatal("failed to send FramebufferUpdateRequest: %s", g_lastLog);
    emit("REQUESTED");
    return 0;
  }

  char a[64], b[64], c[64], extra[2];
  long x, y, m;
  if (sscanf(line, "pointer %63s %63s %63s %1s", a, b, c, extra) == 3) {
    if (!parseLong(a, &x) || !parseLong(b, &y) || !parseLong(c, &m) || x < 0 || y < 0 || x > 65535 || y > 65535 ||
        m < 0 || m > 255) {
      emit("CMDERROR pointer: bad arguments");
      return 0;
    }
    if (!SendPointerEvent(client, (int)x, (int)y, (int)m)) fatal("failed to send PointerEvent: %s", g_lastLog);
    emit("OK");
    return 0;
  }
  if (sscanf(line, "key %63s %63s %1s", a, b, extra) == 2) {
    if (!parseLong(a, &x) || !parseLong(b, &y) || x < 0 || x > 0xffffffffL || (y != 0 && y != 1)) {
      emit("CMDERROR key: bad arguments");
      return 0;
    }
    if (!SendKeyEvent(client, (uint32_t)x, y ? TRUE : FALSE)) fatal("failed to send KeyEvent: %s", g_lastLog);
    emit("OK");
    return 0;
  }

  emit("CMDERROR unknown command: %s", line);
  return 0;
}

static void usage(void) {
  fprintf(stderr,
          "usage: refclient HOST:PORT --format rgb888le|rgb888be|rgbx888be|bgr888le|rgb565le|rgb565be|bgr233\n"
          "                 --encodings \"raw hextile zrle ...\" [--password-file P] [--user NAME]\n"
          "                 [--ca-file CA.pem] [--shared 0|1] [--quality 0-9]\n");
}

/* ------------------------------------------------------------------------- */

int main(int argc, char **argv) {
  const char *target = NULL, *formatName = NULL, *encodings = NULL, *passwordFile = NULL;
  /* --listen: HOST:PORT is where to wait for a server's reverse connection (vncviewer -listen). */
  int listenMode = 0;
  int shared = 1;
  /* --quality: the JPEG quality level to ask for with Tight; -1 (the default) asks for none, so Tight stays lossless. */
  long quality = -1;

  signal(SIGPIPE, SIG_IGN);

  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--format") == 0 && i + 1 < argc)
      formatName = argv[++i];
    else if (strcmp(argv[i], "--encodings") == 0 && i + 1 < argc)
      encodings = argv[++i];
    else if (strcmp(argv[i], "--password-file") == 0 && i + 1 < argc)
      passwordFile = argv[++i];
    else if (strcmp(argv[i], "--listen") == 0)
      listenMode = 1;
    else if (strcmp(argv[i], "--quality") == 0 && i + 1 < argc) {
      if (!parseLong(argv[++i], &quality) || quality < 0 || quality > 9) {
        usage();
        fatal("--quality must be 0 to 9");
      }
    } else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
      g_user = argv[++i];
    else if (strcmp(argv[i], "--ca-file") == 0 && i + 1 < argc)
      g_caFile = argv[++i];
    else if (strcmp(argv[i], "--shared") == 0 && i + 1 < argc) {
      const char *v = argv[++i];
      if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0) {
        usage();
        fatal("--shared must be 0 or 1");
      }
      shared = v[0] == '1';
    } else if (argv[i][0] != '-' && target == NULL)
      target = argv[i];
    else {
      usage();
      fatal("bad argument: %s", argv[i]);
    }
  }
  if (target == NULL || formatName == NULL || encodings == NULL) {
    usage();
    fatal("missing HOST:PORT, --format or --encodings");
  }

  const FormatDef *fmt = NULL;
  for (size_t i = 0; i < sizeof kFormats / sizeof kFormats[0]; i++)
    if (strcmp(kFormats[i].name, formatName) == 0) fmt = &kFormats[i];
  if (fmt == NULL) fatal("unknown format %s", formatName);

  /* validate the encodings list: exact names only, at least one */
  {
    const uint16_t endianProbe = 1;
    const int hostBigEndian = *(const uint8_t *)&endianProbe == 0;
    char *copy = strdup(encodings);
    int count = 0;
    for (char *tok = strtok(copy, " \t"); tok != NULL; tok = strtok(NULL, " \t")) {
      int known = 0;
      for (const char *const *n = kEncodingNames; *n; n++)
        if (strcmp(*n, tok) == 0) known = 1;
      if (!known) fatal("unknown encoding %s", tok);
      /* libvncclient 0.9.14 decodes the 3-byte CPIXEL of ZRLE/ZYWRLE/TRLE and the 3-byte
       * TPIXEL of Tight by loading host-order integers, which is only right when the pixel
       * format's byte order equals the host's: with the other byte order every pixel comes
       * out shifted or byte-swapped. Refuse instead of producing misleading framebuffers. */
      /* The one safe case: the colour sits in the bytes that come first on the wire
       * (big-endian with the colour in the top 3 bytes, little-endian in the low 3), so
       * the host-order load puts the 3 CPIXEL bytes where the pixel's colour bytes are. */
      unsigned long maxColor = ((unsigned long)fmt->redMax << fmt->redShift) | ((unsigned long)fmt->greenMax << fmt->greenShift) |
                               ((unsigned long)fmt->blueMax << fmt->blueShift);
      int colourFirst = fmt->bigEndian ? (maxColor & 0xffUL) == 0 : (maxColor & 0xff000000UL) == 0;
      if (fmt->bitsPerPixel == 32 && fmt->bigEndian != hostBigEndian && !colourFirst &&
          (strcmp(tok, "zrle") == 0 || strcmp(tok, "zywrle") == 0 || strcmp(tok, "trle") == 0 ||
           strcmp(tok, "tight") == 0))
        fatal("libvncclient cannot decode %s correctly for %s on a %s-endian host; use another format or encoding",
              tok, fmt->name, hostBigEndian ? "big" : "little");
      count++;
    }
    free(copy);
    if (count == 0) fatal("empty --encodings list");
  }

  const char *colon = strrchr(target, ':');
  long port = 0;
  if (colon == NULL || colon == target || !parseLong(colon + 1, &port) || port <= 0 || port > 65535)
    fatal("target must be HOST:PORT, got %s", target);
  char *host = strndup(target, (size_t)(colon - target));

  if (passwordFile != NULL) g_password = readPasswordFile(passwordFile);

  rfbClientLog = logToStderr;
  rfbClientErr = logToStderr;

  rfbClient *client = rfbGetClient(8, 3, 4);
  if (client == NULL) fatal("rfbGetClient failed");

  client->format.bitsPerPixel = (uint8_t)fmt->bitsPerPixel;
  client->format.depth = (uint8_t)fmt->depth;
  client->format.bigEndian = (uint8_t)fmt->bigEndian;
  client->format.trueColour = 1;
  client->format.redMax = (uint16_t)fmt->redMax;
  client->format.greenMax = (uint16_t)fmt->greenMax;
  client->format.blueMax = (uint16_t)fmt->blueMax;
  client->format.redShift = (uint8_t)fmt->redShift;
  client->format.greenShift = (uint8_t)fmt->greenShift;
  client->format.blueShift = (uint8_t)fmt->blueShift;

  client->appData.encodingsString = encodings;
  client->appData.shareDesktop = shared ? TRUE : FALSE;
  client->appData.useRemoteCursor = FALSE;
  client->appData.useBGR233 = FALSE;
  /* libvncclient asks for JPEG quality 5 with Tight unless told otherwise: lossless unless --quality. */
  client->appData.enableJPEG = quality >= 0 ? TRUE : FALSE;
  if (quality >= 0) client->appData.qualityLevel = (int)quality;
  client->canHandleNewFBSize = TRUE;
  client->connectTimeout = 10;
  client->readTimeout = 30;

  client->MallocFrameBuffer = mallocFrameBuffer;
  client->GotFrameBufferUpdate = gotFrameBufferUpdate;
  client->FinishedFrameBufferUpdate = finishedFrameBufferUpdate;
  client->GetPassword = getPassword;
  client->GetCredential = getCredential;

  client->serverHost = host; /* freed by rfbClientCleanup */
  client->serverPort = (int)port;
  client->programName = "refclient";

  if (listenMode) {
    client->listenPort = (int)port;
    client->listenAddress = strdup(host);
    emit("LISTENING %ld", port);
    /* Waits (at most 30 s) for one server to connect; then the handshake runs on that socket. */
    int got = listenForIncomingConnectionsNoFork(client, 30 * 1000 * 1000);
    if (got <= 0) fatal("no server connected while listening on %s", target);
  }

  /* On failure rfbInitClient has already cleaned the client up. */
  if (!rfbInitClient(client, NULL, NULL)) fatal("connection/handshake failed: %s", g_lastLog);

  g_connected = 1;
  emit("CONNECTED %d %d %s", client->width, client->height, client->desktopName ? client->desktopName : "");

  int stdinFd = STDIN_FILENO;
  fcntl(stdinFd, F_SETFL, fcntl(stdinFd, F_GETFL) | O_NONBLOCK);
  char cmd[8192];
  size_t cmdLen = 0;
  int stdinOpen = 1;

  for (;;) {
    struct pollfd fds[2];
    fds[0].fd = client->sock;
    fds[0].events = POLLIN;
    fds[0].revents = 0;
    fds[1].fd = stdinOpen ? stdinFd : -1;
    fds[1].events = POLLIN;
    fds[1].revents = 0;

    /* libvncclient reads ahead into client->buf; a complete message may be
     * sitting there with nothing left on the socket, so do not block then. */
    int timeout = client->buffered > 0 ? 0 : 1000;
    int r = poll(fds, 2, timeout);
    if (r < 0) {
      if (errno == EINTR) continue;
      fatal("poll: %s", strerror(errno));
    }

    if (client->buffered > 0 || (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      if (!HandleRFBServerMessage(client)) fatal("connection lost: %s", g_lastLog);
    }

    if (stdinOpen && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      for (;;) {
        ssize_t n = read(stdinFd, cmd + cmdLen, sizeof cmd - 1 - cmdLen);
        if (n < 0) {
          if (errno == EINTR) continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK) break;
          fatal("reading stdin: %s", strerror(errno));
        }
        if (n == 0) {
          stdinOpen = 0;
          break;
        }
        cmdLen += (size_t)n;
        char *nl;
        while ((nl = memchr(cmd, '\n', cmdLen)) != NULL) {
          *nl = '\0';
          if (handleCommand(client, cmd)) {
            rfbClientCleanup(client);
            return 0;
          }
          size_t used = (size_t)(nl - cmd) + 1;
          memmove(cmd, nl + 1, cmdLen - used);
          cmdLen -= used;
        }
        if (cmdLen == sizeof cmd - 1) fatal("command line too long");
      }
      if (!stdinOpen) {
        /* parent closed our stdin: behave like quit */
        rfbClientCleanup(client);
        return 0;
      }
    }
  }
}
