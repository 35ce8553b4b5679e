#ifndef TREATY_CLIBXML2_SHIM_H
#define TREATY_CLIBXML2_SHIM_H
// libxml2 is built with ICU on Debian; its ICU declarations clash with Foundation's private ICU
// module on clean builds. Treaty never uses libxml2's ICU encoders, so hide them first.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlerror.h>
#endif
