// CCrypto shim: OpenSSL's libcrypto digests (SHA-256 of downloads, fastai's MD5 check).
#include <openssl/evp.h>
