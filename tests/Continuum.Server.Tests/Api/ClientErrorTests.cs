using Continuum.Client;
using Continuum.Errors;
using Continuum.Memory;
using Continuum.Sessions;
using Continuum.Users;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Continuum.Server.Tests.Api;

/// <summary>The .NET client throws what the in-process services throw for the same call, read from the server's problem documents.</summary>
public sealed class ClientErrorTests
{
    [Fact]
    public async Task The_client_throws_the_same_exception_types_with_the_same_facts_as_the_services_in_process()
    {
        await using var server = await ApiServer.StartAsync();
        var client = new ContinuumClient(server.Http);
        using var scope = server.Services.CreateScope();
        var local = scope.ServiceProvider.GetRequiredService<IMemoryService>();
        var localSessions = scope.ServiceProvider.GetRequiredService<ISessionService>();
        var opened = await client.OpenAsync(new OpenSessionRequest { Identity = new IdentityRef { Interface = "web", ExternalUserId = "client-errors" }, Interface = "web", Mode = "new" });
        var userId = opened.Session.UserId!;

        // Not found: the same type, kind of thing and message.
        var remoteMissing = await Should.ThrowAsync<NotFoundException>(() => ((IMemoryService)client).GetAsync("mem_missing"));
        var localMissing = await Should.ThrowAsync<NotFoundException>(() => local.GetAsync("mem_missing"));
        (remoteMissing.What, remoteMissing.ErrorType, remoteMissing.StatusCode, remoteMissing.Message).ShouldBe((localMissing.What, localMissing.ErrorType, 404, localMissing.Message));
        (await Should.ThrowAsync<NotFoundException>(() => client.AddAsync(new NewMemory { UserId = "usr_nobody", Content = "Likes tea" }))).What.ShouldBe("User");

        // Validation: the fields and their problems.
        var remoteInvalid = await Should.ThrowAsync<ValidationException>(() => client.AddAsync(new NewMemory { UserId = userId, Content = "x", Kind = "secret" }));
        var localInvalid = await Should.ThrowAsync<ValidationException>(() => local.AddAsync(new NewMemory { UserId = userId, Content = "x", Kind = "secret" }));
        remoteInvalid.Errors.Keys.ShouldBe(["kind"]);
        remoteInvalid.Errors["kind"].ShouldBe(localInvalid.Errors["kind"]);
        (await Should.ThrowAsync<ValidationException>(() => client.ListAsync(new MemoryQuery { UserId = userId, Cursor = "not-a-cursor" }))).Errors.Keys.ShouldBe(["cursor"]);

        // Too large: the field and the message.
        var huge = new NewMemory { UserId = userId, Content = new string('x', MemoryService.MaxContentBytes + 1) };
        var remoteLarge = await Should.ThrowAsync<PayloadTooLargeException>(() => client.AddAsync(huge));
        var localLarge = await Should.ThrowAsync<PayloadTooLargeException>(() => local.AddAsync(huge));
        (remoteLarge.Field, remoteLarge.StatusCode, remoteLarge.Message).ShouldBe((localLarge.Field, 413, localLarge.Message));

        // Conflict: the problem type says which.
        await client.UpdateAsync(opened.Session.Id, new SessionPatch { Status = SessionStatus.Closed });
        var remoteClosed = await Should.ThrowAsync<ConflictException>(() => client.AppendAsync(opened.Session.Id, new NewEvent { Content = "late" }));
        var localClosed = await Should.ThrowAsync<ConflictException>(() => localSessions.AppendAsync(opened.Session.Id, new NewEvent { Content = "late" }));
        (remoteClosed.ErrorType, remoteClosed.Message).ShouldBe((localClosed.ErrorType, localClosed.Message));
        remoteClosed.ErrorType.ShouldBe("session-closed");
    }

    [Fact]
    public async Task A_database_locked_by_another_process_is_a_503_with_Retry_After_and_a_transient_error_in_the_client()
    {
        // SQLite on purpose: another process's write lock on the file is what makes the store busy.
        await using var server = await ApiServer.StartAsync("--Continuum:Storage:Provider", "sqlite", "--Continuum:Storage:Sqlite:BusyTimeout", "00:00:01");
        var client = new ContinuumClient(server.Http);
        var session = (await client.OpenAsync(new OpenSessionRequest { Interface = "cli", Mode = "new" })).Session;

        await using (var other = new SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, "continuum.db")};Pooling=False"))
        {
            await other.OpenAsync();
            using (var lockFile = other.CreateCommand())
            {
                lockFile.CommandText = "BEGIN EXCLUSIVE";
                await lockFile.ExecuteNonQueryAsync();
            }

            using var raw = await server.Http.PostAsync($"api/sessions/{session.Id}/events", System.Net.Http.Json.JsonContent.Create(new { content = "while locked" }));
            ((int)raw.StatusCode).ShouldBe(503);
            raw.Headers.RetryAfter.ShouldNotBeNull();
            var error = await Should.ThrowAsync<TransientStoreException>(() => client.AppendAsync(session.Id, new NewEvent { Content = "while locked" }));
            error.IsTransient.ShouldBeTrue();
            error.ErrorType.ShouldBe("store-unavailable");
        }

        // Once the lock is gone the same call goes through, and nothing of the refused ones was stored.
        (await client.AppendAsync(session.Id, new NewEvent { Content = "after the lock" })).Event.Seq.ShouldBe(1);
    }
}
