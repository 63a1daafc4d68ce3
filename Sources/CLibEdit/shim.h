// libedit (BSD editline) from Debian's libedit-dev; never GNU readline.
#include <stdio.h>
#include <histedit.h>
