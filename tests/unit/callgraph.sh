#!/bin/sh
# make check: no call cycle between the files of libcontainer/ (callgraph.py
# reads the built libcontainer.a; automake runs this in the build tree).
exec python3 "${srcdir:-.}/tests/unit/callgraph.py" .
