package errcode

import "net/http"

// The catalogue. Each code's sentence is errors.<code> in every language
// of internal/locale/locales; the client shows it in the page's language.
var (
	// The engine and its flows.
	ErrFlowNotFound     = define("flow_not_found", http.StatusNotFound)
	ErrUnknownFlow      = define("unknown_flow", http.StatusNotFound)
	ErrActionNotAllowed = define("action_not_allowed", http.StatusConflict)
	ErrFlowChanged      = define("flow_changed", http.StatusConflict)
	ErrInvalidInput     = define("invalid_input", http.StatusBadRequest)
	ErrBadRequestOrigin = define("bad_request_origin", http.StatusForbidden)
	ErrSignUpClosed     = define("sign_up_closed", http.StatusForbidden)
	ErrIdentifierTaken  = define("identifier_taken", http.StatusConflict)
	ErrSetupLinkInvalid = define("setup_link_invalid", http.StatusGone)
	// ErrRecoveryLinkInvalid refuses a used, expired or unknown recovery
	// link an administrator made.
	ErrRecoveryLinkInvalid = define("recovery_link_invalid", http.StatusGone)
	// ErrRecoveryNoEmail refuses to email a recovery link to a user who
	// has no verified email address.
	ErrRecoveryNoEmail = define("recovery_no_email", http.StatusConflict)

	// Passkeys.
	ErrCeremonyMissing             = define("passkey_request_expired", http.StatusBadRequest)
	ErrPasskeyFailed               = define("passkey_failed", http.StatusUnauthorized)
	ErrPasskeyUnknown              = define("passkey_unknown", http.StatusUnauthorized)
	ErrPasskeyNotAllowed           = define("passkey_not_allowed", http.StatusForbidden)
	ErrPasskeyRegistrationFailed   = define("passkey_registration_failed", http.StatusBadRequest)
	ErrPasskeyExists               = define("passkey_exists", http.StatusConflict)
	ErrPasskeySignInDisabled       = define("passkey_sign_in_disabled", http.StatusForbidden)
	ErrPasskeyRegistrationDisabled = define("passkey_registration_disabled", http.StatusForbidden)
	ErrSSORequired                 = define("sso_required", http.StatusForbidden)

	// Signing in, codes and second factors.
	ErrUnauthenticated        = define("unauthenticated", http.StatusUnauthorized)
	ErrReverificationRequired = define("reverification_required", http.StatusForbidden)
	ErrInvalidCredentials     = define("invalid_credentials", http.StatusUnauthorized)
	ErrTooManyAttempts        = define("too_many_attempts", http.StatusTooManyRequests)
	ErrMethodNotAvailable     = define("method_not_available", http.StatusForbidden)
	ErrMFAEnrollmentRequired  = define("mfa_enrollment_required", http.StatusForbidden)
	ErrInvalidCode            = define("invalid_code", http.StatusUnauthorized)
	ErrCodeExpired            = define("code_expired", http.StatusUnauthorized)
	ErrCodeLocked             = define("code_locked", http.StatusTooManyRequests)
	ErrCodeRateLimited        = define("code_rate_limited", http.StatusTooManyRequests)
	ErrPhoneNotAllowed        = define("phone_not_allowed", http.StatusForbidden)
	ErrCaptchaRequired        = define("captcha_required", http.StatusBadRequest)
	ErrCaptchaFailed          = define("captcha_failed", http.StatusForbidden)
	ErrCaptchaUnavailable     = define("captcha_unavailable", http.StatusServiceUnavailable)

	// The account and management APIs.
	ErrForbidden                   = define("forbidden", http.StatusForbidden)
	ErrCSRFHeaderMissing           = define("csrf_header_missing", http.StatusForbidden)
	ErrNotFound                    = define("not_found", http.StatusNotFound)
	ErrMethodNotAllowed            = define("method_not_allowed", http.StatusMethodNotAllowed)
	ErrQueryTooComplex             = define("query_too_complex", http.StatusUnprocessableEntity)
	ErrSettingsChanged             = define("settings_changed", http.StatusConflict)
	ErrRPIDChangeNeedsConfirmation = define("rp_id_change_needs_confirmation", http.StatusConflict)
	ErrLastSignInMethod            = define("last_sign_in_method", http.StatusConflict)
	ErrMFARequiredByPolicy         = define("mfa_required_by_policy", http.StatusConflict)
	ErrFactorExists                = define("factor_exists", http.StatusConflict)
	ErrRateLimited                 = define("rate_limited", http.StatusTooManyRequests)
	ErrProviderError               = define("provider_error", http.StatusBadGateway)
	ErrApplicationHasNoSecret      = define("application_has_no_secret", http.StatusConflict)

	// Uploads (internal/upload).
	ErrImageTooLarge    = define("image_too_large", http.StatusRequestEntityTooLarge)
	ErrImageUnsupported = define("image_unsupported", http.StatusUnsupportedMediaType)

	// gqlgen's own codes for a query it cannot parse or that does not fit
	// the schema, kept as GraphQL clients know them; the sentence sent is
	// gqlgen's, which describes the query.
	ErrGraphQLParseFailed      = define("GRAPHQL_PARSE_FAILED", http.StatusUnprocessableEntity)
	ErrGraphQLValidationFailed = define("GRAPHQL_VALIDATION_FAILED", http.StatusUnprocessableEntity)

	// The admin console.
	ErrConsoleAccessDenied  = define("console_access_denied", http.StatusForbidden)
	ErrConsoleRoleForbidden = define("console_role_forbidden", http.StatusForbidden)

	// A tenant's team: its administrators' roles and invitations.
	ErrReadOnlyRole      = define("read_only_role", http.StatusForbidden)
	ErrTeamOwnersOnly    = define("team_owners_only", http.StatusForbidden)
	ErrLastOwner         = define("last_owner", http.StatusConflict)
	ErrAlreadyTeamMember = define("already_team_member", http.StatusConflict)
	ErrUserExists        = define("user_exists", http.StatusConflict)

	// Federation: sign-in through an upstream identity provider.
	ErrFederationState  = define("federation_state", http.StatusBadRequest)
	ErrFederationFailed = define("federation_failed", http.StatusBadRequest)
	ErrFederationLinked = define("federation_linked", http.StatusConflict)

	// The proof of an enterprise connector's email domains by a DNS TXT
	// record (flows/federation): the record is missing or does not carry
	// the domain's token, or the domain is verified for another connector.
	ErrDomainRecordMissing     = define("domain_record_missing", http.StatusUnprocessableEntity)
	ErrDomainRecordMismatch    = define("domain_record_mismatch", http.StatusUnprocessableEntity)
	ErrDomainVerifiedElsewhere = define("domain_verified_elsewhere", http.StatusConflict)

	// SAML sign-in (internal/samlsp): an identity provider's answer the
	// service provider refuses, and IdP metadata it cannot read.
	ErrSAMLSignatureInvalid  = define("saml_signature_invalid", http.StatusUnauthorized)
	ErrSAMLAudienceMismatch  = define("saml_audience_mismatch", http.StatusUnauthorized)
	ErrSAMLRecipientMismatch = define("saml_recipient_mismatch", http.StatusUnauthorized)
	ErrSAMLAssertionExpired  = define("saml_assertion_expired", http.StatusUnauthorized)
	ErrSAMLAssertionNotYet   = define("saml_assertion_not_yet_valid", http.StatusUnauthorized)
	ErrSAMLRequestMismatch   = define("saml_request_mismatch", http.StatusUnauthorized)
	ErrSAMLAssertionReplayed = define("saml_assertion_replayed", http.StatusUnauthorized)
	ErrSAMLIssuerMismatch    = define("saml_issuer_mismatch", http.StatusUnauthorized)
	ErrSAMLIdPRefused        = define("saml_idp_refused", http.StatusUnauthorized)
	ErrSAMLResponseInvalid   = define("saml_response_invalid", http.StatusBadRequest)
	ErrSAMLMetadataInvalid   = define("saml_metadata_invalid", http.StatusBadRequest)
	// ErrConnectorMisconfigured: a connector this server cannot use as
	// stored (a saml connector's SP key sealed under another
	// key-encryption key); an administrator must create it again here.
	ErrConnectorMisconfigured = define("connector_misconfigured", http.StatusServiceUnavailable)

	// ErrTenantBusy and ErrServerBusy refuse a request over the admission
	// limiter's bounds (server.Admission): its tenant's requests in flight,
	// or the server's. Both carry Retry-After.
	ErrTenantBusy = define("tenant_busy", http.StatusTooManyRequests)
	ErrServerBusy = define("server_busy", http.StatusServiceUnavailable)

	// ErrInternal answers every error that is not public; its cause is
	// logged.
	ErrInternal = define("internal", http.StatusInternalServerError)
)
