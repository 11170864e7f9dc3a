pub mod static_server;
