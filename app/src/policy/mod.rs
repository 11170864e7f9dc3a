//! (in progress) The policy file, `.github/helmpilot.yml`.
