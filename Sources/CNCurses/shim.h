#ifndef DEXTER_CNCURSES_SHIM_H
#define DEXTER_CNCURSES_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>
#include <ncurses.h>

// Swift 6 cannot read C globals safely or import function-like macros; these accessors stand in for them.
static inline WINDOW *dexter_stdscr(void) { return stdscr; }
static inline int dexter_lines(void) { return LINES; }
static inline int dexter_cols(void) { return COLS; }
static inline int dexter_colors(void) { return COLORS; }
static inline int dexter_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t dexter_a_bold(void) { return A_BOLD; }
static inline attr_t dexter_a_dim(void) { return A_DIM; }
static inline attr_t dexter_a_reverse(void) { return A_REVERSE; }
static inline attr_t dexter_a_underline(void) { return A_UNDERLINE; }
static inline attr_t dexter_color_pair(int n) { return COLOR_PAIR(n); }
static inline int dexter_key_resize(void) { return KEY_RESIZE; }
static inline int dexter_key_up(void) { return KEY_UP; }
static inline int dexter_key_down(void) { return KEY_DOWN; }
static inline int dexter_key_enter(void) { return KEY_ENTER; }
static inline int dexter_key_npage(void) { return KEY_NPAGE; }
static inline int dexter_key_ppage(void) { return KEY_PPAGE; }
static inline int dexter_key_home(void) { return KEY_HOME; }
static inline int dexter_key_end(void) { return KEY_END; }
static inline int dexter_key_mouse(void) { return KEY_MOUSE; }
static inline int dexter_key_btab(void) { return KEY_BTAB; }
static inline int dexter_key_backspace(void) { return KEY_BACKSPACE; }

// Clicks and the wheel only: motion reports would cost bytes on the wire for nothing.
static inline void dexter_enable_mouse(int on) {
    mousemask(on ? (BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED) : 0, NULL);
    mouseinterval(0);
}

// 1 = left click, 4 = wheel up, 5 = wheel down, 0 = anything else; -1 when there is no event.
static inline int dexter_get_mouse(int *x, int *y) {
    MEVENT event;
    if (getmouse(&event) != OK) return -1;
    *x = event.x;
    *y = event.y;
    if (event.bstate & BUTTON4_PRESSED) return 4;
    if (event.bstate & BUTTON5_PRESSED) return 5;
    if (event.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) return 1;
    return 0;
}

// Declared here rather than by defining _GNU_SOURCE, which would change glibc's types under Swift's own Glibc module.
extern int posix_openpt(int flags);
extern int grantpt(int fd);
extern int unlockpt(int fd);
extern char *ptsname(int fd);

// A pseudo-terminal pair, for measuring what the screen writes (the wire benchmark). 0 on success.
static inline int dexter_open_pty(int *primary, int *secondary) {
    int fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (fd < 0) return -1;
    if (grantpt(fd) != 0 || unlockpt(fd) != 0) { close(fd); return -1; }
    const char *name = ptsname(fd);
    int other = name ? open(name, O_RDWR | O_NOCTTY) : -1;
    if (other < 0) { close(fd); return -1; }
    *primary = fd;
    *secondary = other;
    return 0;
}
#endif
