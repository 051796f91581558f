#ifndef DEXTER_CNCURSES_SHIM_H
#define DEXTER_CNCURSES_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
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
#endif
