using Replication.Testing.Registries;

namespace Replication.Engine.Tests.Infrastructure;

[CollectionDefinition(RegistryFixture.Collection)]
public sealed class RegistryCollection : ICollectionFixture<RegistryFixture>;
