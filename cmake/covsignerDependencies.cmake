# The dependencies that ship no CMake package config, found the same way by
# this project's build and by the installed covsignerConfig.cmake (so both
# see the same targets: CAF::core, CAF::io, CAF::openssl and the
# PkgConfig::* targets the room libraries link).
find_package(Threads REQUIRED)

# CAF 0.17 (Debian's libcaf-dev) ships neither a CMake config nor a .pc
# file: imported targets by hand, once per directory scope that needs them.
if(NOT TARGET CAF::core)
  find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
  find_library(CAF_CORE_LIBRARY caf_core REQUIRED)
  find_library(CAF_IO_LIBRARY caf_io REQUIRED)
  # The remote signer's TLS (actors/remote_signer): CAF's OpenSSL module.
  find_library(CAF_OPENSSL_LIBRARY caf_openssl REQUIRED)
  add_library(CAF::core SHARED IMPORTED)
  set_target_properties(CAF::core PROPERTIES IMPORTED_LOCATION "${CAF_CORE_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES Threads::Threads)
  add_library(CAF::io SHARED IMPORTED)
  set_target_properties(CAF::io PROPERTIES IMPORTED_LOCATION "${CAF_IO_LIBRARY}"
    INTERFACE_LINK_LIBRARIES CAF::core)
  add_library(CAF::openssl SHARED IMPORTED)
  set_target_properties(CAF::openssl PROPERTIES IMPORTED_LOCATION "${CAF_OPENSSL_LIBRARY}"
    INTERFACE_LINK_LIBRARIES CAF::io)
endif()

find_package(PkgConfig REQUIRED)
if(NOT TARGET PkgConfig::SECP256K1)
  pkg_check_modules(SECP256K1 REQUIRED IMPORTED_TARGET libsecp256k1)
endif()
# The pkg-config flags carry -DCPPHTTPLIB_* defines that the Debian .so was
# built with; without them httplib's structs silently mismatch the library,
# in this build and in every consumer that includes transport/ headers.
if(NOT TARGET PkgConfig::HTTPLIB)
  pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
endif()
if(NOT TARGET PkgConfig::SODIUM)
  pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
endif()
if(NOT TARGET PkgConfig::CRYPTOPP)
  pkg_check_modules(CRYPTOPP REQUIRED IMPORTED_TARGET libcrypto++)
endif()
