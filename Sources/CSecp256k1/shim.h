#ifndef DEXTER_CSECP256K1_SHIM_H
#define DEXTER_CSECP256K1_SHIM_H
#include <secp256k1.h>
#include <secp256k1_recovery.h>

// Function-like macros and flag constants, as functions Swift can call.
static inline unsigned int dexter_secp256k1_context_sign_verify(void) {
    return SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY;
}
static inline unsigned int dexter_secp256k1_uncompressed(void) { return SECP256K1_EC_UNCOMPRESSED; }
#endif
