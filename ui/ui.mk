# ui/: the binary's front ends. The parts with unit tests (key tables, the
# monitor, the host character devices, PNG screenshots) also go into the
# library the unit tests link; the rest (main, the SDL window) only into
# the binary.
UI_LIB_SRCS := $(wildcard ui/keymap.c ui/monitor.c ui/chardev.c ui/screendump.c ui/gdbregs.c ui/gdbstub.c ui/debugger.c)
LIB_SRCS += $(UI_LIB_SRCS)
APP_SRCS += $(filter-out $(UI_LIB_SRCS),$(wildcard ui/*.c))

# SDL2 (the window; ui/keymap.c reads its scancode header) and libpng (the
# screendump): compile flags everywhere, SDL's libraries only in the binary
SDL_CFLAGS := $(shell pkg-config --cflags sdl2 2>/dev/null)
SDL_LIBS   := $(shell pkg-config --libs sdl2 2>/dev/null || echo -lSDL2)
PNG_CFLAGS := $(shell pkg-config --cflags libpng 2>/dev/null)
PNG_LIBS   := $(shell pkg-config --libs libpng 2>/dev/null || echo -lpng)
CFLAGS += $(SDL_CFLAGS) $(PNG_CFLAGS)
LDLIBS += $(PNG_LIBS)
$(O)/trivisor: LDLIBS += $(SDL_LIBS)
