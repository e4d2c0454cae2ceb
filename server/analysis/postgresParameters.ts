/**
 * Every configuration parameter name PostgreSQL has (or had, 9.x to 18), lower case. PostgreSQL refuses
 * `SET name …` for any other name without a dot ("unrecognized configuration parameter"), so such a SET
 * is not PostgreSQL session state at all: it is a pooler's admin console command (`SET default_pool_size
 * = 20` on PgBouncer's console), another database's setting, or an error. Names with a dot are custom
 * (extension or application) settings, which PostgreSQL accepts. PostgreSQL 15's own list (pg_settings and
 * `postgres --describe-config`) plus the parameters added, renamed and removed in other versions;
 * test/unit/analysis/postgres-parameters.test.ts checks it against the installed server's list.
 */
const POSTGRES_PARAMETERS: ReadonlySet<string> = new Set(`
  add_missing_from allow_alter_system allow_in_place_tablespaces allow_system_table_mods application_name
  archive_cleanup_command archive_command archive_library archive_mode archive_timeout array_nulls
  authentication_timeout autovacuum autovacuum_analyze_scale_factor autovacuum_analyze_threshold
  autovacuum_freeze_max_age autovacuum_max_workers autovacuum_multixact_freeze_max_age autovacuum_naptime
  autovacuum_vacuum_cost_delay autovacuum_vacuum_cost_limit autovacuum_vacuum_insert_scale_factor
  autovacuum_vacuum_insert_threshold autovacuum_vacuum_max_threshold autovacuum_vacuum_scale_factor
  autovacuum_vacuum_threshold autovacuum_work_mem autovacuum_worker_slots backend_flush_after backslash_quote
  backtrace_functions bgwriter_delay bgwriter_flush_after bgwriter_lru_maxpages bgwriter_lru_multiplier block_size
  bonjour bonjour_name bytea_output check_function_bodies checkpoint_completion_target checkpoint_flush_after
  checkpoint_segments checkpoint_timeout checkpoint_warning client_connection_check_interval client_encoding
  client_min_messages cluster_name commit_delay commit_siblings commit_timestamp_buffers compute_query_id config_file
  constraint_exclusion cpu_index_tuple_cost cpu_operator_cost cpu_tuple_cost createrole_self_grant
  cursor_tuple_fraction custom_variable_classes data_checksums data_directory data_directory_mode data_sync_retry
  datestyle db_user_namespace deadlock_timeout debug_assertions debug_deadlocks debug_discard_caches debug_io_direct
  debug_logical_replication_streaming debug_parallel_query debug_pretty_print debug_print_parse debug_print_plan
  debug_print_rewritten default_statistics_target default_table_access_method default_tablespace
  default_text_search_config default_toast_compression default_transaction_deferrable default_transaction_isolation
  default_transaction_read_only default_with_oids dynamic_library_path dynamic_shared_memory_type effective_cache_size
  effective_io_concurrency enable_async_append enable_bitmapscan enable_distinct_reordering enable_gathermerge
  enable_group_by_reordering enable_hashagg enable_hashjoin enable_incremental_sort enable_indexonlyscan
  enable_indexscan enable_material enable_memoize enable_mergejoin enable_nestloop enable_parallel_append
  enable_parallel_hash enable_partition_pruning enable_partitionwise_aggregate enable_partitionwise_join
  enable_presorted_aggregate enable_self_join_elimination enable_seqscan enable_sort enable_tidscan
  escape_string_warning event_source event_triggers exit_on_error explain_pretty_print extension_control_path
  extension_destdir external_pid_file extra_float_digits file_copy_method force_parallel_mode from_collapse_limit
  fsync full_page_writes geqo geqo_effort geqo_generations geqo_pool_size geqo_seed geqo_selection_bias geqo_threshold
  gin_fuzzy_search_limit gin_pending_list_limit gss_accept_delegation hash_mem_multiplier hba_file hot_standby
  hot_standby_feedback huge_page_size huge_pages huge_pages_status icu_validation_level ident_file
  idle_in_transaction_session_timeout idle_replication_slot_timeout idle_session_timeout ignore_checksum_failure
  ignore_invalid_pages ignore_system_indexes in_hot_standby integer_datetimes intervalstyle io_combine_limit
  io_max_combine_limit io_max_concurrency io_method io_workers is_superuser jit jit_above_cost jit_debugging_support
  jit_dump_bitcode jit_expressions jit_inline_above_cost jit_optimize_above_cost jit_profiling_support jit_provider
  jit_tuple_deforming join_collapse_limit krb_caseins_users krb_server_keyfile krb_srvname lc_collate lc_ctype
  lc_messages lc_monetary lc_numeric lc_time listen_addresses lo_compat_privileges local_preload_libraries
  lock_timeout log_autovacuum_min_duration log_checkpoints log_connections log_destination log_directory
  log_disconnections log_duration log_error_verbosity log_executor_stats log_file_mode log_filename log_hostname
  log_line_prefix log_lock_failures log_lock_waits log_min_duration_sample log_min_duration_statement
  log_min_error_statement log_min_messages log_parameter_max_length log_parameter_max_length_on_error log_parser_stats
  log_planner_stats log_recovery_conflict_waits log_replication_commands log_rotation_age log_rotation_size
  log_startup_progress_interval log_statement log_statement_sample_rate log_statement_stats log_temp_files
  log_timezone log_transaction_sample_rate log_truncate_on_rotation logging_collector logical_decoding_work_mem
  logical_replication_mode maintenance_io_concurrency maintenance_work_mem max_active_replication_origins
  max_connections max_files_per_process max_fsm_pages max_fsm_relations max_function_args max_identifier_length
  max_index_keys max_locks_per_transaction max_logical_replication_workers max_notify_queue_pages
  max_parallel_apply_workers_per_subscription max_parallel_maintenance_workers max_parallel_workers
  max_parallel_workers_per_gather max_pred_locks_per_page max_pred_locks_per_relation max_pred_locks_per_transaction
  max_prepared_transactions max_replication_slots max_slot_wal_keep_size max_stack_depth max_standby_archive_delay
  max_standby_delay max_standby_streaming_delay max_sync_workers_per_subscription max_wal_senders max_wal_size
  max_worker_processes md5_password_warnings min_dynamic_shared_memory min_parallel_index_scan_size
  min_parallel_relation_size min_parallel_table_scan_size min_wal_size multixact_member_buffers
  multixact_offset_buffers notify_buffers num_os_semaphores oauth_validator_libraries old_snapshot_threshold
  operator_precedence_warning optimize_bounded_sort parallel_leader_participation parallel_setup_cost
  parallel_tuple_cost password_encryption plan_cache_mode port post_auth_delay pre_auth_delay primary_conninfo
  primary_slot_name promote_trigger_file quote_all_identifiers random_page_cost recovery_end_command
  recovery_init_sync_method recovery_min_apply_delay recovery_prefetch recovery_target recovery_target_action
  recovery_target_inclusive recovery_target_lsn recovery_target_name recovery_target_time recovery_target_timeline
  recovery_target_xid recursive_worktable_factor regex_flavor remove_temp_files_after_crash replacement_sort_tuples
  replication_timeout reserved_connections restart_after_crash restore_command restrict_nonsystem_relation_kind role
  row_security scram_iterations search_path seed segment_size send_abort_for_crash send_abort_for_kill seq_page_cost
  serializable_buffers server_encoding server_version server_version_num session_authorization
  session_preload_libraries session_replication_role shared_buffers shared_memory_size
  shared_memory_size_in_huge_pages shared_memory_type shared_preload_libraries silent_mode sort_mem sql_inheritance
  ssl ssl_ca_file ssl_cert_file ssl_ciphers ssl_crl_dir ssl_crl_file ssl_dh_params_file ssl_ecdh_curve ssl_groups
  ssl_key_file ssl_library ssl_max_protocol_version ssl_min_protocol_version ssl_passphrase_command
  ssl_passphrase_command_supports_reload ssl_prefer_server_ciphers ssl_renegotiation_limit ssl_tls13_ciphers
  standard_conforming_strings statement_timeout stats_fetch_consistency stats_temp_directory subtransaction_buffers
  summarize_wal superuser_reserved_connections sync_replication_slots synchronize_seqscans synchronized_standby_slots
  synchronous_commit synchronous_standby_names syslog_facility syslog_ident syslog_sequence_numbers
  syslog_split_messages tcp_keepalives_count tcp_keepalives_idle tcp_keepalives_interval tcp_user_timeout temp_buffers
  temp_file_limit temp_tablespaces timezone timezone_abbreviations trace_connection_negotiation trace_lock_oidmin
  trace_lock_table trace_locks trace_lwlocks trace_notify trace_recovery_messages trace_sort trace_userlocks
  track_activities track_activity_query_size track_commit_timestamp track_cost_delay_timing track_counts
  track_functions track_io_timing track_wal_io_timing transaction_buffers transaction_deferrable transaction_isolation
  transaction_read_only transaction_timeout transform_null_equals unix_socket_directories unix_socket_directory
  unix_socket_group unix_socket_permissions update_process_title vacuum_buffer_usage_limit
  vacuum_cleanup_index_scale_factor vacuum_cost_delay vacuum_cost_limit vacuum_cost_page_dirty vacuum_cost_page_hit
  vacuum_cost_page_miss vacuum_defer_cleanup_age vacuum_failsafe_age vacuum_freeze_min_age vacuum_freeze_table_age
  vacuum_max_eager_freeze_failure_rate vacuum_mem vacuum_multixact_failsafe_age vacuum_multixact_freeze_min_age
  vacuum_multixact_freeze_table_age vacuum_truncate wal_block_size wal_buffers wal_compression
  wal_consistency_checking wal_decode_buffer_size wal_init_zero wal_keep_segments wal_keep_size wal_level
  wal_log_hints wal_receiver_create_temp_slot wal_receiver_status_interval wal_receiver_timeout wal_recycle
  wal_retrieve_retry_interval wal_segment_size wal_sender_delay wal_sender_timeout wal_skip_threshold
  wal_summary_keep_time wal_sync_method wal_writer_delay wal_writer_flush_after work_mem xmlbinary xmloption
  zero_damaged_pages
`.split(/\s+/).filter(Boolean));

/** Whether PostgreSQL would accept `SET <name> …`: a parameter it has (had), or a custom `prefix.name`. */
export function isPostgresParameter(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.includes('.') || POSTGRES_PARAMETERS.has(lower);
}

/**
 * The parameters no session may SET (PostgreSQL 15's, lower case): those of contexts `postmaster` (set at server start),
 * `sighup` (the configuration file), `internal` (fixed when the server was built or initialised) and `backend` /
 * `superuser-backend` (only in the startup packet, before the session begins). PostgreSQL answers a `SET` of one of them
 * with an error ("cannot be changed without restarting the server", "cannot be changed now", "cannot be set after
 * connection start"), so it leaves no session state. test/unit/analysis/postgres-parameters.test.ts checks the list
 * against the context column of the installed server's `postgres --describe-config` (which omits the `internal` ones and
 * those kept out of the sample file). Parameters of other versions are not here: their SET keeps its finding.
 */
const SESSION_FIXED_PARAMETERS: ReadonlySet<string> = new Set(`
  archive_cleanup_command archive_command archive_library archive_mode archive_timeout authentication_timeout
  autovacuum autovacuum_analyze_scale_factor autovacuum_analyze_threshold autovacuum_freeze_max_age
  autovacuum_max_workers autovacuum_multixact_freeze_max_age autovacuum_naptime autovacuum_vacuum_cost_delay
  autovacuum_vacuum_cost_limit autovacuum_vacuum_insert_scale_factor autovacuum_vacuum_insert_threshold
  autovacuum_vacuum_scale_factor autovacuum_vacuum_threshold autovacuum_work_mem bgwriter_delay bgwriter_flush_after
  bgwriter_lru_maxpages bgwriter_lru_multiplier block_size bonjour bonjour_name checkpoint_completion_target
  checkpoint_flush_after checkpoint_timeout checkpoint_warning cluster_name data_checksums data_directory
  data_directory_mode data_sync_retry db_user_namespace debug_assertions dynamic_shared_memory_type event_source
  external_pid_file fsync full_page_writes hba_file hot_standby hot_standby_feedback huge_page_size huge_pages
  ident_file ignore_system_indexes in_hot_standby integer_datetimes jit_debugging_support jit_profiling_support
  jit_provider krb_caseins_users krb_server_keyfile lc_collate lc_ctype listen_addresses log_autovacuum_min_duration
  log_checkpoints log_connections log_destination log_directory log_disconnections log_file_mode log_filename
  log_hostname log_line_prefix log_recovery_conflict_waits log_rotation_age log_rotation_size
  log_startup_progress_interval log_timezone log_truncate_on_rotation logging_collector max_connections
  max_files_per_process max_function_args max_identifier_length max_index_keys max_locks_per_transaction
  max_logical_replication_workers max_pred_locks_per_page max_pred_locks_per_relation max_pred_locks_per_transaction
  max_prepared_transactions max_replication_slots max_slot_wal_keep_size max_standby_archive_delay
  max_standby_streaming_delay max_sync_workers_per_subscription max_wal_senders max_wal_size max_worker_processes
  min_dynamic_shared_memory min_wal_size old_snapshot_threshold port post_auth_delay primary_conninfo
  primary_slot_name promote_trigger_file recovery_end_command recovery_init_sync_method recovery_min_apply_delay
  recovery_prefetch recovery_target recovery_target_action recovery_target_inclusive recovery_target_lsn
  recovery_target_name recovery_target_time recovery_target_timeline recovery_target_xid restart_after_crash
  restore_command segment_size server_encoding server_version server_version_num shared_buffers shared_memory_size
  shared_memory_size_in_huge_pages shared_memory_type shared_preload_libraries ssl ssl_ca_file ssl_cert_file
  ssl_ciphers ssl_crl_dir ssl_crl_file ssl_dh_params_file ssl_ecdh_curve ssl_key_file ssl_library
  ssl_max_protocol_version ssl_min_protocol_version ssl_passphrase_command ssl_passphrase_command_supports_reload
  ssl_prefer_server_ciphers superuser_reserved_connections synchronous_standby_names syslog_facility syslog_ident
  syslog_sequence_numbers syslog_split_messages track_activity_query_size track_commit_timestamp
  unix_socket_directories unix_socket_group unix_socket_permissions vacuum_defer_cleanup_age wal_block_size
  wal_buffers wal_decode_buffer_size wal_keep_size wal_level wal_log_hints wal_receiver_create_temp_slot
  wal_receiver_status_interval wal_receiver_timeout wal_retrieve_retry_interval wal_segment_size wal_sync_method
  wal_writer_delay wal_writer_flush_after
`.split(/\s+/).filter(Boolean));

/** Whether PostgreSQL refuses `SET <name> …` in any session: a parameter only the server's start, configuration or build sets. */
export function isSessionFixedParameter(name: string): boolean {
  return SESSION_FIXED_PARAMETERS.has(name.toLowerCase());
}

/** The ways PostgreSQL accepts of writing a boolean `on` (constants as detect.ts reads them, lower case). */
const ON = ['on', 'true', 'yes', '1', 't', 'y'];

/**
 * Built-in parameters whose built-in default servers keep (no hosting provider, role or database sets them otherwise in
 * practice: they are switches a session flips for a job and flips back), with the constants that write that default.
 * `SET session_replication_role = 'origin'` after `SET session_replication_role = 'replica'` puts back what the
 * connection had, as `SET … TO DEFAULT` would. Parameters that roles and providers do set (search_path,
 * statement_timeout, work_mem, jit) are not here: their built-in value need not be what the connection had.
 */
const KEPT_DEFAULTS: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ['session_replication_role', ['origin']],
  ['check_function_bodies', ON],
  ['row_security', ON],
  ['standard_conforming_strings', ON],
  ['client_min_messages', ['notice']],
  ...['enable_bitmapscan', 'enable_hashagg', 'enable_hashjoin', 'enable_indexonlyscan', 'enable_indexscan', 'enable_material',
    'enable_mergejoin', 'enable_nestloop', 'enable_seqscan', 'enable_sort', 'enable_tidscan'].map((name) => [name, ON] as [string, readonly string[]]),
]);

/** Whether `SET <setting> TO <value>` (lower case, as detect.ts reads a constant) sets a kept built-in default back (KEPT_DEFAULTS). */
export function isKeptDefault(setting: string | undefined, value: string | undefined): boolean {
  return setting !== undefined && value !== undefined && KEPT_DEFAULTS.get(setting)?.includes(value) === true;
}

/**
 * Parameters with the value a new connection has on the servers code is run against in practice: DateStyle's built-in
 * default (initdb's too, for English and C locales), the UTC zone of the official container image and of the managed
 * services, and lock_timeout's built-in 0 (no wait limit), which a migration bounds for one step and sets back to 0.
 * They are no kept defaults (KEPT_DEFAULTS): a database or role may set them otherwise, so a SET of them alone says
 * nothing of what the connection had. Read only where the code itself puts one back after its own change (a `finally`
 * restore, settingRestores.ts): there the code says it found that value. statement_timeout is not here: the managed
 * services give their roles one of their own.
 */
const USUAL_STARTING_VALUES: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ['datestyle', ['iso, mdy']],
  ['timezone', ['utc', 'etc/utc']],
  ['lock_timeout', ['0', '0s', '0ms']],
]);

/**
 * Whether `SET <setting> TO <value>` (lower case) writes the value a new connection has: a kept default, or a usual
 * starting value of an output-format parameter (USUAL_STARTING_VALUES).
 */
export function isStartingValue(setting: string, value: string): boolean {
  // `'ISO,MDY'` and `'iso, mdy'` write the same DateStyle.
  const written = value.toLowerCase().split(',').map((part) => part.trim()).join(', ');
  return isKeptDefault(setting, written) || USUAL_STARTING_VALUES.get(setting)?.includes(written) === true;
}
