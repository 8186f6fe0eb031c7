from rest_framework import routers, serializers, viewsets

from .models import Item


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "owner", "value", "updated_at"]


class ItemViewSet(viewsets.ModelViewSet):
    queryset = Item.objects.all()
    serializer_class = ItemSerializer


router = routers.SimpleRouter()
router.register("items", ItemViewSet)
urlpatterns = router.urls
