use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    parley::cli::run().await
}
