/* The features document of this runtime, from the mechanisms' tables. */
#ifndef OCI_FEATURES_H
#define OCI_FEATURES_H

#include "specs/features.h"

void features_fill(struct spec_features *f, const char *version, const char *commit);
void features_free(struct spec_features *f);

#endif
