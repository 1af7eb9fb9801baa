/*
 * echo_server.c -- a raw TCP server that sends back, upper-cased, whatever
 * its clients send (try it with `nc 127.0.0.1 PORT` through hostfwd).
 * Several clients at once through net_select(); each client's pending
 * output is one buffer, and we read from a client only once its previous
 * bytes have gone out, so a client that never reads only stalls itself.
 */
#include <efi.h>
#include <efilib.h>
#include "http.h"
#include "net.h"
#include "text.h"

#define ECHO_CLIENTS    8
#define ECHO_BUFFER     4096
#define ECHO_SLICE_MS   100
#define ECHO_BACKLOG    4

struct echo_client {
    int fd;
    char data[ECHO_BUFFER];
    UINTN length, sent;         /* bytes waiting to go back */
};

static void echo_drop(struct echo_client *c)
{
    net_close(c->fd);
    c->fd = -1;
}

int echo_serve(UINT16 port)
{
    struct echo_client *clients = AllocateZeroPool(ECHO_CLIENTS * sizeof *clients);
    if (!clients) {
        Print(L"error: out of memory\n");
        return -1;
    }
    int listener = net_socket();
    if (listener < 0 || net_bind(listener, port) < 0 || net_listen(listener, ECHO_BACKLOG) < 0) {
        net_report("echo server");
        if (listener >= 0)
            net_close(listener);
        FreePool(clients);
        return -1;
    }
    net_set_blocking(listener, FALSE);
    for (int i = 0; i < ECHO_CLIENTS; i++)
        clients[i].fd = -1;
    Print(L"echo server listening on port %d (press a key to stop)\n", port);
    UINT64 echoed = 0;

    while (!net_key_pressed()) {
        net_fd_set readable, writable;
        NET_FD_ZERO(&readable);
        NET_FD_ZERO(&writable);
        NET_FD_SET(listener, &readable);
        for (int i = 0; i < ECHO_CLIENTS; i++) {
            if (clients[i].fd < 0)
                continue;
            if (clients[i].sent < clients[i].length)
                NET_FD_SET(clients[i].fd, &writable);
            else
                NET_FD_SET(clients[i].fd, &readable);
        }
        if (net_select(&readable, &writable, ECHO_SLICE_MS) < 0) {
            net_report("select");
            break;
        }
        for (int i = 0; i < ECHO_CLIENTS; i++) {
            struct echo_client *c = &clients[i];
            if (c->fd >= 0 && NET_FD_ISSET(c->fd, &readable)) {
                INTN n = net_recv(c->fd, c->data, sizeof c->data);
                if (n < 0 && net_errno == NET_EAGAIN)
                    continue;
                if (n <= 0) {
                    Print(L"echo client %d left\n", i);
                    echo_drop(c);
                    continue;
                }
                for (INTN j = 0; j < n; j++)
                    c->data[j] = text_upper(c->data[j]);
                c->length = (UINTN)n;
                c->sent = 0;
                echoed += (UINT64)n;
            }
            if (c->fd >= 0 && NET_FD_ISSET(c->fd, &writable)) {
                INTN n = net_send(c->fd, c->data + c->sent, c->length - c->sent);
                if (n < 0 && net_errno != NET_EAGAIN)
                    echo_drop(c);
                else if (n > 0)
                    c->sent += (UINTN)n;
            }
        }
        if (NET_FD_ISSET(listener, &readable)) {
            struct net_addr peer;
            int fd;
            while ((fd = net_accept(listener, &peer)) >= 0) {
                int slot = -1;
                for (int i = 0; i < ECHO_CLIENTS && slot < 0; i++)
                    if (clients[i].fd < 0)
                        slot = i;
                if (slot < 0) {
                    Print(L"too many echo clients (%d): refusing one\n", ECHO_CLIENTS);
                    net_close(fd);
                    continue;
                }
                char ip[NET_IP_TEXT];
                net_format_ip(peer.ip, ip);
                Print(L"echo client %d from %a:%d\n", slot, ip, peer.port);
                net_set_blocking(fd, FALSE);
                clients[slot].fd = fd;
                clients[slot].length = clients[slot].sent = 0;
            }
        }
    }
    for (int i = 0; i < ECHO_CLIENTS; i++)
        if (clients[i].fd >= 0)
            echo_drop(&clients[i]);
    net_close(listener);
    net_finish_closes();
    FreePool(clients);
    Print(L"echo server stopped after %ld bytes\n", echoed);
    return 0;
}
